import * as z from "zod";
import {
  encode,
  fixedBytes,
  fromHex,
  option,
  string,
  struct,
  toHex,
  U64_MAX,
  u8,
  u32,
  u64,
  type ValueOf,
  vector,
} from "../codec/index.js";
import {
  ACCOUNT_PATH,
  addressFromPublicKey,
  CONSENSUS_PATH,
  DEV_MNEMONIC,
  decodeAddress,
  derivePath,
  isValidAddress,
  isValidPublicKey,
  mnemonicToSeed,
  sha256,
} from "../crypto/index.js";
import { FastposError } from "../errors.js";
import { committeeIssues } from "./apply/oracle-rotate.js";
import { type Params, ParamsCodec, PRESETS, type PresetName } from "./params.js";
import { crossCheckParams, decimal, ONE_SHOT, paramsSchema, paramsToJson } from "./params-schema.js";
import { MAX_ORACLE_MEMBERS } from "./product-tx.js";

/**
 * Genesis (DESIGN.md §3): JSON for humans, hashed over its canonical codec encoding (never over JSON).
 * The same inputs always give byte-identical JSON and the same genesis hash.
 */
export const DEFAULT_CHAIN_ID = "fastpos-devnet";
export const DEFAULT_GENESIS_TIME = "2026-01-01T00:00:00.000Z";
/** workWeight is fixed point: 10000 = 1.0 (DESIGN.md §3). */
export const WORK_WEIGHT_ONE = 10_000;

export interface GenesisAccount {
  address: string;
  balance: bigint;
}
export interface GenesisValidator {
  name: string;
  operator: string;
  consensusKey: Uint8Array;
  stake: bigint;
  workWeight: number;
}
export interface Genesis {
  chainId: string;
  genesisTime: string;
  params: Params;
  accounts: GenesisAccount[];
  validators: GenesisValidator[];
  /**
   * DEVNET SHORTCUT: an account allowed to set validators' workWeight directly (applied at the next epoch);
   * null = nobody. Real chains set it null and let the oracle committee's attestations move workWeight.
   */
  workWeightAuthority: string | null;
  /** The oracle committee (docs/product-layer.md): N ed25519 keys, M of which must sign; null = none. */
  oracle: GenesisOracle | null;
}
export interface GenesisOracle {
  threshold: number;
  members: Uint8Array[];
}

export type GenesisErrorType = { code: "GENESIS_INVALID"; issues: string[] };
export class GenesisError extends FastposError<GenesisErrorType> {}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const hex32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "must be 32 bytes of lowercase 0x-hex")
  .transform((s) => fromHex(s, 32));
const address = z.string().refine(isValidAddress, "must be an fp1… bech32m address");

const genesisSchema = z
  .object({
    chainId: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, "1-64 letters, digits, . _ -"),
    genesisTime: z.string().regex(ISO_UTC, "must be an ISO 8601 UTC time like 2026-01-01T00:00:00.000Z"),
    params: paramsSchema,
    accounts: z.array(z.object({ address, balance: decimal() }).strict()).max(100_000),
    validators: z
      .array(
        z
          .object({
            name: z.string().min(1).max(64),
            operator: address,
            consensusKey: hex32.refine(
              isValidPublicKey,
              "must be a valid ed25519 public key (not small-order)",
            ),
            stake: decimal().refine((v) => v > 0n, "must be > 0"),
            workWeight: z.int().min(0).max(1_000_000),
          })
          .strict(),
      )
      .min(1, "at least one validator is required")
      .max(1000),
    workWeightAuthority: address.nullable().default(null),
    oracle: z
      .object({
        threshold: z.int().min(1).max(MAX_ORACLE_MEMBERS),
        members: z.array(hex32).min(1).max(MAX_ORACLE_MEMBERS),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();

/** `accounts[2].balance` from a zod path. */
function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    "",
  );
}

/**
 * Parses and checks genesis JSON. Every problem names its JSON path.
 * @throws GenesisError GENESIS_INVALID with all issues found.
 */
export function validateGenesis(json: unknown): Genesis {
  const r = genesisSchema.safeParse(json, ONE_SHOT);
  if (!r.success) {
    const issues = r.error.issues.map((i) =>
      i.code === "unrecognized_keys"
        ? `${jsonPath(i.path) || "(root)"}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(", ")}`
        : `${jsonPath(i.path) || "(root)"}: ${/received undefined$/.test(i.message) ? "is required" : i.message}`,
    );
    throw new GenesisError({ code: "GENESIS_INVALID", issues }, `invalid genesis: ${issues.join("; ")}`);
  }
  const g = r.data as Genesis;
  const issues: string[] = [];
  const seen = new Map<string, number>();
  g.accounts.forEach((a, i) => {
    if (seen.has(a.address))
      issues.push(`accounts[${i}].address: duplicate of accounts[${seen.get(a.address)}]`);
    seen.set(a.address, i);
  });
  const keys = new Map<string, number>();
  const operators = new Map<string, number>();
  g.validators.forEach((v, i) => {
    const k = toHex(v.consensusKey);
    if (keys.has(k)) issues.push(`validators[${i}].consensusKey: duplicate of validators[${keys.get(k)}]`);
    keys.set(k, i);
    if (operators.has(v.operator))
      issues.push(`validators[${i}].operator: duplicate of validators[${operators.get(v.operator)}]`);
    operators.set(v.operator, i);
    if (v.stake < g.params.minSelfStake)
      issues.push(`validators[${i}].stake: below params.minSelfStake (${g.params.minSelfStake})`);
  });
  issues.push(...crossCheckParams(g.params));
  if (g.validators.length > g.params.maxValidators)
    issues.push(`validators: more than params.maxValidators (${g.params.maxValidators})`);
  const supply = [...g.accounts.map((a) => a.balance), ...g.validators.map((v) => v.stake)].reduce(
    (s, x) => s + x,
    0n,
  );
  if (supply > U64_MAX) issues.push("accounts: total supply (balances + stakes) exceeds 2^64-1");
  const timeMs = Date.parse(g.genesisTime);
  if (Number.isNaN(timeMs)) issues.push("genesisTime: not a real date");
  // The hash (and block times) hold it as u64 milliseconds: a real date before 1970 validated, then
  // hashGenesis threw a CodecError that named no genesis field (found by fuzzing, issue 23).
  else if (timeMs < 0)
    issues.push("genesisTime: before 1970-01-01T00:00:00.000Z (times are unsigned milliseconds since then)");
  if (g.oracle) issues.push(...committeeIssues(g.oracle).map((i) => `oracle.${i}`));
  if (issues.length)
    throw new GenesisError({ code: "GENESIS_INVALID", issues }, `invalid genesis: ${issues.join("; ")}`);
  return g;
}

/** Canonical encoding of a genesis: what its hash commits to. */
export const GenesisCodec = struct({
  chainId: string(64),
  genesisTimeMs: u64,
  params: ParamsCodec,
  accounts: vector(struct({ address: fixedBytes(20), balance: u64 }), 100_000),
  validators: vector(
    struct({
      name: string(64),
      operator: fixedBytes(20),
      consensusKey: fixedBytes(32),
      stake: u64,
      workWeight: u32,
    }),
    1000,
  ),
  workWeightAuthority: option(fixedBytes(20)),
  oracle: option(struct({ threshold: u8, members: vector(fixedBytes(32), MAX_ORACLE_MEMBERS) })),
});
export type EncodedGenesis = ValueOf<typeof GenesisCodec>;

/** Milliseconds since the Unix epoch of an ISO UTC time (pure: parses, never reads the clock). */
export function isoToMs(iso: string): bigint {
  return BigInt(Date.parse(iso));
}

/** SHA-256 of the canonical encoding: the chain's identity (p2p handshakes check it). */
export function hashGenesis(g: Genesis): Uint8Array {
  return sha256(
    encode(GenesisCodec, {
      chainId: g.chainId,
      genesisTimeMs: isoToMs(g.genesisTime),
      params: g.params,
      accounts: g.accounts.map((a) => ({ address: decodeAddress(a.address), balance: a.balance })),
      validators: g.validators.map((v) => ({
        name: v.name,
        operator: decodeAddress(v.operator),
        consensusKey: v.consensusKey,
        stake: v.stake,
        workWeight: v.workWeight,
      })),
      workWeightAuthority: g.workWeightAuthority ? decodeAddress(g.workWeightAuthority) : null,
      oracle: g.oracle,
    }),
  );
}

/** Byte-stable JSON: fixed key order, decimal strings for amounts, 2-space indent, trailing newline. */
export function genesisToJson(g: Genesis): string {
  const doc = {
    chainId: g.chainId,
    genesisTime: g.genesisTime,
    params: paramsToJson(g.params),
    accounts: g.accounts.map((a) => ({ address: a.address, balance: String(a.balance) })),
    validators: g.validators.map((v) => ({
      name: v.name,
      operator: v.operator,
      consensusKey: toHex(v.consensusKey),
      stake: String(v.stake),
      workWeight: v.workWeight,
    })),
    workWeightAuthority: g.workWeightAuthority,
    oracle: g.oracle ? { threshold: g.oracle.threshold, members: g.oracle.members.map(toHex) } : null,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Inputs of `createGenesis`; everything optional has a deterministic default. */
export interface CreateGenesisOptions {
  chainId?: string | undefined;
  genesisTime?: string | undefined;
  preset?: PresetName | undefined;
  params?: Params | undefined;
  validators: GenesisValidator[];
  accounts?: GenesisAccount[] | undefined;
  workWeightAuthority?: string | null | undefined;
  oracle?: GenesisOracle | null | undefined;
}

/** Builds and validates a genesis. */
export function createGenesis(o: CreateGenesisOptions): Genesis {
  const g: Genesis = {
    chainId: o.chainId ?? DEFAULT_CHAIN_ID,
    genesisTime: o.genesisTime ?? DEFAULT_GENESIS_TIME,
    params: o.params ?? PRESETS[o.preset ?? "dev"],
    accounts: o.accounts ?? [],
    validators: o.validators,
    workWeightAuthority: o.workWeightAuthority ?? null,
    oracle: o.oracle ?? null,
  };
  return validateGenesis(JSON.parse(genesisToJson(g)));
}

/** Default stake and balance of the deterministic dev genesis. */
export const DEV_STAKE = 1_000_000n;
export const DEV_BALANCE = 1_000_000_000_000n;

/**
 * Validators and funded operator accounts derived from a mnemonic (default: the public DEV_MNEMONIC):
 * validator i has operator account `m/44'/7777'/0'/0'/i'` and consensus key `m/44'/7777'/1'/0'/i'`.
 */
export function deriveDevValidators(
  count: number,
  mnemonic = DEV_MNEMONIC,
): {
  validators: GenesisValidator[];
  accounts: GenesisAccount[];
  secrets: { accountKey: Uint8Array; consensusKey: Uint8Array }[];
} {
  const seed = mnemonicToSeed(mnemonic);
  const validators: GenesisValidator[] = [];
  const accounts: GenesisAccount[] = [];
  const secrets: { accountKey: Uint8Array; consensusKey: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const acct = derivePath(seed, ACCOUNT_PATH(i));
    const cons = derivePath(seed, CONSENSUS_PATH(i));
    const operator = addressFromPublicKey(acct.publicKey);
    validators.push({
      name: `validator-${i}`,
      operator,
      consensusKey: cons.publicKey,
      stake: DEV_STAKE,
      workWeight: WORK_WEIGHT_ONE,
    });
    accounts.push({ address: operator, balance: DEV_BALANCE });
    secrets.push({ accountKey: acct.secretKey, consensusKey: cons.secretKey });
  }
  return { validators, accounts, secrets };
}

/** Account index of dev oracle member 0 (members are ordinary account keys, so keystores hold them). */
export const ORACLE_ACCOUNT_BASE = 2000;

/**
 * A dev oracle committee: `count` account keys at indexes ORACLE_ACCOUNT_BASE + i of the mnemonic (default
 * DEV_MNEMONIC), threshold ⌊count/2⌋ + 1.
 */
export function deriveDevOracle(
  count: number,
  mnemonic = DEV_MNEMONIC,
): { oracle: GenesisOracle; secrets: Uint8Array[] } {
  const seed = mnemonicToSeed(mnemonic);
  const keys = Array.from({ length: count }, (_, i) =>
    derivePath(seed, ACCOUNT_PATH(ORACLE_ACCOUNT_BASE + i)),
  );
  return {
    oracle: { threshold: Math.floor(count / 2) + 1, members: keys.map((k) => k.publicKey) },
    secrets: keys.map((k) => k.secretKey),
  };
}

/** The deterministic default genesis: `count` validators from DEV_MNEMONIC, each operator funded. */
export function createDefaultGenesis(
  o: { validators?: number; preset?: PresetName; chainId?: string } = {},
): Genesis {
  const { validators, accounts } = deriveDevValidators(o.validators ?? 4);
  // The first operator may set workWeights on the default dev chain.
  return createGenesis({
    chainId: o.chainId,
    preset: o.preset,
    validators,
    accounts,
    workWeightAuthority: accounts[0]?.address,
  });
}
