import {
  createGenesis,
  DEV_BALANCE,
  DEV_STAKE,
  deriveDevValidators,
  type Genesis,
  type GenesisAccount,
  type GenesisValidator,
  WORK_WEIGHT_ONE,
} from "../core/chain/genesis.js";
import type { PresetName } from "../core/chain/params.js";
import { isValidAddress } from "../core/crypto/index.js";
import { FastposError } from "../core/errors.js";
import { loadKeypair } from "../keystore/keys-service.js";
import type { Keystore } from "../keystore/keystore.js";

/**
 * Turns `fastpos genesis new` inputs (validator key names, `ADDR=AMOUNT` pairs) into a genesis. Key names
 * resolve through the keystore: a validator's operator is its account key, its consensus key is derived
 * from the same mnemonic on the consensus path.
 */
export type GenesisInputErrorType = { code: "GENESIS_BAD_ACCOUNT"; input: string; reason: string };
export class GenesisInputError extends FastposError<GenesisInputErrorType> {}

export interface GenesisInputs {
  chainId?: string | undefined;
  genesisTime?: string | undefined;
  preset?: PresetName | undefined;
  /** Number of validators derived from the public dev mnemonic (default 4 when no names are given). */
  validators?: number | undefined;
  /** Keystore key names to make validators. */
  validatorKeys?: string[] | undefined;
  stake?: bigint | undefined;
  /** `ADDRESS=AMOUNT` or `KEYNAME=AMOUNT`. */
  accounts?: string[] | undefined;
  password?: string | undefined;
}

/** Parses `ADDR=AMOUNT` (ADDR may be a key name) into a genesis account. */
export async function parseAccountSpec(spec: string, ks: Keystore): Promise<GenesisAccount> {
  const m = /^([^=\s]+)=(\d+)$/.exec(spec.trim());
  if (!m) {
    throw new GenesisInputError(
      { code: "GENESIS_BAD_ACCOUNT", input: spec, reason: "format" },
      `--account "${spec}" must look like fp1…=1000000 or KEYNAME=1000000`,
    );
  }
  const [, who, amount] = m as unknown as [string, string, string];
  const address = isValidAddress(who) ? who : (await ks.get(who)).address;
  return { address, balance: BigInt(amount) };
}

export async function buildGenesis(inputs: GenesisInputs, ks: Keystore): Promise<Genesis> {
  const accounts: GenesisAccount[] = [];
  for (const spec of inputs.accounts ?? []) accounts.push(await parseAccountSpec(spec, ks));
  let validators: GenesisValidator[];
  if (inputs.validatorKeys?.length) {
    validators = [];
    for (const name of inputs.validatorKeys) {
      const acct = await loadKeypair(ks, name, { password: inputs.password });
      const cons = await loadKeypair(ks, name, { password: inputs.password, purpose: "consensus" });
      validators.push({
        name,
        operator: acct.address,
        consensusKey: cons.publicKey,
        stake: inputs.stake ?? DEV_STAKE,
        workWeight: WORK_WEIGHT_ONE,
      });
    }
  } else {
    const dev = deriveDevValidators(inputs.validators ?? 4);
    validators = dev.validators.map((v) => ({ ...v, stake: inputs.stake ?? DEV_STAKE }));
    for (const a of dev.accounts)
      if (!accounts.some((x) => x.address === a.address)) accounts.push({ ...a, balance: DEV_BALANCE });
  }
  return createGenesis({
    chainId: inputs.chainId,
    genesisTime: inputs.genesisTime,
    preset: inputs.preset,
    validators,
    accounts,
  });
}
