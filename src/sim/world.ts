import {
  createGenesis,
  DEV_STAKE,
  deriveDevValidators,
  type Genesis,
  isoToMs,
  type Params,
  PRESETS,
  type State,
  stateFromGenesis,
} from "../core/chain/index.js";
import { toHex } from "../core/codec/index.js";
import { addressBytes, decodeAddress, getPublicKey } from "../core/crypto/index.js";
import type { SimConfig } from "./config.js";

/**
 * The chain a simulation runs: a real genesis (the dev validators and funded operator accounts, as
 * `fastpos genesis new` makes them) with the preset's params and the config's overrides, and the keys of
 * every validator. Independent of the seed: the seed drives the network, faults and load, not the keys.
 */
export interface World {
  genesis: Genesis;
  params: Params;
  state0: State;
  genesisMs: number;
  /** Per node: consensus key pair and address, operator account key pair and address. */
  keys: {
    secretKey: Uint8Array;
    publicKey: Uint8Array;
    address: Uint8Array;
    addressHex: string;
    accountSecret: Uint8Array;
    accountPublic: Uint8Array;
    account: Uint8Array;
  }[];
}

export const SIM_CHAIN_ID = "fastpos-sim";

export function paramsFor(c: SimConfig): Params {
  const base = PRESETS[c.preset];
  const t = c.timeouts ?? {};
  return {
    ...base,
    ...(c.epochLength !== undefined ? { epochLength: BigInt(c.epochLength) } : {}),
    timeouts: {
      ...base.timeouts,
      ...(t.propose !== undefined ? { proposeBase: t.propose } : {}),
      ...(t.prevote !== undefined ? { prevoteBase: t.prevote } : {}),
      ...(t.precommit !== undefined ? { precommitBase: t.precommit } : {}),
      ...(t.commitWait !== undefined ? { commitWait: t.commitWait } : {}),
    },
    maxValidators: Math.max(base.maxValidators, c.validators),
  };
}

export function createWorld(c: SimConfig): World {
  const dev = deriveDevValidators(c.validators);
  const validators = dev.validators.map((v, i) => ({
    ...v,
    stake: c.stakes?.[i] ?? DEV_STAKE,
    workWeight: c.workWeights?.[i] ?? v.workWeight,
  }));
  const params = paramsFor(c);
  const genesis = createGenesis({
    chainId: SIM_CHAIN_ID,
    params,
    validators,
    accounts: dev.accounts,
    workWeightAuthority: dev.accounts[0]?.address,
  });
  const keys = dev.secrets.map((s, i) => {
    const v = validators[i] as (typeof validators)[number];
    const address = addressBytes(v.consensusKey);
    return {
      secretKey: s.consensusKey,
      publicKey: v.consensusKey,
      address,
      addressHex: toHex(address),
      accountSecret: s.accountKey,
      accountPublic: getPublicKey(s.accountKey),
      account: decodeAddress(v.operator),
    };
  });
  return {
    genesis,
    params,
    state0: stateFromGenesis(genesis),
    genesisMs: Number(isoToMs(genesis.genesisTime)),
    keys,
  };
}
