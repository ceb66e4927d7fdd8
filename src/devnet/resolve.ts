import {
  createGenesis,
  deriveDevOracle,
  deriveDevValidators,
  type Genesis,
  ORACLE_ACCOUNT_BASE,
} from "../core/chain/genesis.js";
import { type Params, PRESETS } from "../core/chain/params.js";
import { paramsSchema, paramsToJson } from "../core/chain/params-schema.js";
import { toHex } from "../core/codec/index.js";
import {
  ACCOUNT_PATH,
  addressFromPublicKey,
  derivePath,
  generateMnemonic,
  mnemonicToSeed,
  sha256,
} from "../core/crypto/index.js";
import { type Manifest, ManifestError } from "./manifest.js";

/**
 * The preset's params with the manifest's overrides (u64 fields may be given as numbers).
 * @throws ManifestError MANIFEST_INVALID naming each bad `params.*` key
 */
export function resolveParams(m: Pick<Manifest, "preset" | "params">): Params {
  const base = paramsToJson(PRESETS[m.preset]) as Record<string, unknown>;
  if (!m.params) return PRESETS[m.preset];
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(m.params)) {
    const timeouts = k === "timeouts" && typeof v === "object" ? { ...(base.timeouts as object), ...v } : v;
    merged[k] = typeof base[k] === "string" && typeof v === "number" ? String(v) : timeouts;
  }
  const r = paramsSchema.safeParse(merged);
  if (r.success) return r.data as Params;
  const issues = r.error.issues.map((i) =>
    i.code === "unrecognized_keys"
      ? `unknown key ${i.keys.map((key) => `"params.${key}"`).join(", ")}`
      : `params.${i.path.join(".")}: ${i.message}`,
  );
  throw new ManifestError(
    { code: "MANIFEST_INVALID", file: "(manifest)", issues },
    `invalid devnet manifest: ${issues.join("; ")}`,
  );
}

/**
 * Manifest → concrete devnet plan (STYLE.md "schema → resolve → act"). Pure given its inputs: keys come from
 * a mnemonic derived from the manifest seed, so the same manifest always yields the same addresses and the
 * same genesis; only the ports (allocated by the caller) differ between runs.
 */
export interface PlannedNode {
  name: string;
  index: number;
  p2pPort: number;
  apiPort: number;
  consensusSecretKey: Uint8Array;
}

export interface PlannedAccount {
  name: string;
  address: string;
  publicKey: string;
  mnemonic: string;
  index: number;
  balance: bigint;
}

export interface DevnetPlan {
  name: string;
  chainId: string;
  mnemonic: string;
  genesis: Genesis;
  nodes: PlannedNode[];
  accounts: PlannedAccount[];
  /** Oracle committee member keys (`oracle-0`…), in member order; unfunded. */
  oracle: PlannedAccount[];
}

/** Size and name prefix of a devnet's oracle committee (threshold ⌊N/2⌋ + 1 = 2 of 3). */
export const DEVNET_ORACLE_MEMBERS = 3;
/** The product-user account every devnet gets (docs/product-layer.md), unless the manifest names one. */
export const PRODUCT_USER = { name: "product-user", index: 3000, balance: 1_000_000_000_000n };

/** First account index used for the named (user) accounts; lower ones are validator operators. */
export const USER_ACCOUNT_BASE = 1000;

/** The devnet mnemonic for a seed: bip39 of SHA-256("fastpos-devnet/" + seed). Public by design. */
export function devnetMnemonic(seed: string): string {
  return generateMnemonic(sha256(new TextEncoder().encode(`fastpos-devnet/${seed}`)));
}

export function resolveDevnet(m: Manifest, ports: number[]): DevnetPlan {
  const count = typeof m.validators === "number" ? m.validators : m.validators.length;
  const mnemonic = devnetMnemonic(m.seed);
  const dev = deriveDevValidators(count, mnemonic);
  const validators = dev.validators.map((v, i) => {
    const spec = typeof m.validators === "number" ? undefined : m.validators[i];
    return {
      ...v,
      name: spec?.name ?? `node${i}`,
      stake: spec?.stake ?? m.stake,
      workWeight: spec?.workWeight ?? v.workWeight,
    };
  });
  const seed = mnemonicToSeed(mnemonic);
  const accounts: PlannedAccount[] = m.accounts.map((a, i) => {
    const index = USER_ACCOUNT_BASE + i;
    const { publicKey } = derivePath(seed, ACCOUNT_PATH(index));
    return {
      name: a.name,
      address: addressFromPublicKey(publicKey),
      publicKey: toHex(publicKey),
      mnemonic,
      index,
      balance: a.balance,
    };
  });
  if (!accounts.some((a) => a.name === PRODUCT_USER.name)) {
    const { publicKey } = derivePath(seed, ACCOUNT_PATH(PRODUCT_USER.index));
    accounts.push({
      name: PRODUCT_USER.name,
      address: addressFromPublicKey(publicKey),
      publicKey: toHex(publicKey),
      mnemonic,
      index: PRODUCT_USER.index,
      balance: PRODUCT_USER.balance,
    });
  }
  const committee = deriveDevOracle(DEVNET_ORACLE_MEMBERS, mnemonic);
  const oracle = committee.oracle.members.map((pk, i) => ({
    name: `oracle-${i}`,
    address: addressFromPublicKey(pk),
    publicKey: toHex(pk),
    mnemonic,
    index: ORACLE_ACCOUNT_BASE + i,
    balance: 0n,
  }));
  const chainId = m.chainId ?? `fastpos-${m.name}`;
  const genesis = createGenesis({
    chainId,
    // The manifest's explicit `params:` win over its product shortcuts (rewardPerEpoch, challengeWindowEpochs).
    params: {
      ...resolveParams(m),
      ...(m.params?.rewardPerEpoch === undefined ? { rewardPerEpoch: m.rewardPerEpoch } : {}),
      ...(m.challengeWindowEpochs !== undefined && m.params?.challengeWindowEpochs === undefined
        ? { challengeWindowEpochs: m.challengeWindowEpochs }
        : {}),
    },
    oracle: committee.oracle,
    validators,
    accounts: [...dev.accounts, ...accounts.map((a) => ({ address: a.address, balance: a.balance }))],
    // The first named account (alice) may set workWeights, standing in for the product's oracle.
    workWeightAuthority: accounts[0]?.address ?? dev.accounts[0]?.address,
  });
  const nodes = validators.map((v, i) => ({
    name: v.name,
    index: i,
    p2pPort: ports[2 * i] as number,
    apiPort: ports[2 * i + 1] as number,
    consensusSecretKey: (dev.secrets[i] as { consensusKey: Uint8Array }).consensusKey,
  }));
  return { name: m.name, chainId, mnemonic, genesis, nodes, accounts, oracle };
}
