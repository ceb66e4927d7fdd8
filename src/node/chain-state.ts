import { decodeBlock } from "../core/chain/block.js";
import type { Genesis } from "../core/chain/genesis.js";
import { type State, stateFromGenesis } from "../core/chain/state.js";
import { StateTree } from "../core/chain/state-tree.js";
import type { ValidatorSet } from "../core/chain/validator-set.js";
import { bytesEqual, decode, encode, fixedBytes, string, struct, u64, vector } from "../core/codec/index.js";
import { FastposError } from "../core/errors.js";
import type { Store } from "./store.js";

/**
 * Persists and restores the chain `State` (DESIGN.md §5: restart resumes at the last committed height with the
 * same state root). The state tree's entries live in the store (written with each block); the rest of the
 * state — height, last block hash/time and the validator sets with proposer priorities — is one meta entry
 * written in the same atomic batch as the block.
 */
const ValidatorSetCodec = struct({
  validators: vector(
    struct({
      address: fixedBytes(20),
      publicKey: fixedBytes(32),
      power: u64,
      workWeight: u64,
      priority: string(40),
    }),
    1000,
  ),
});

const ChainMetaCodec = struct({
  height: u64,
  lastBlockHash: fixedBytes(32),
  lastBlockTime: u64,
  validatorSet: ValidatorSetCodec,
  lastValidatorSet: ValidatorSetCodec,
});

function encodeSet(s: ValidatorSet) {
  return { validators: s.validators.map((v, i) => ({ ...v, priority: String(s.priorities[i]) })) };
}

function decodeSet(s: {
  validators: {
    address: Uint8Array;
    publicKey: Uint8Array;
    power: bigint;
    workWeight: bigint;
    priority: string;
  }[];
}): ValidatorSet {
  const validators = s.validators.map(({ priority: _p, ...v }) => v);
  return {
    validators,
    totalPower: validators.reduce((t, v) => t + v.power, 0n),
    priorities: s.validators.map((v) => BigInt(v.priority)),
  };
}

/** The meta entry naming the genesis a store belongs to (written once, with the first state). */
export function genesisHashMeta(state: State): Record<string, Uint8Array> {
  return { genesisHash: state.genesisHash };
}

/** The meta entry to write with a block. */
export function chainMeta(state: State): Record<string, Uint8Array> {
  return {
    chain: encode(ChainMetaCodec, {
      height: state.height,
      lastBlockHash: state.lastBlockHash,
      lastBlockTime: state.lastBlockTime,
      validatorSet: encodeSet(state.validatorSet),
      lastValidatorSet: encodeSet(state.lastValidatorSet),
    }),
  };
}

/**
 * The validator sets (with proposer priorities) of an encoded chain meta entry, as a state snapshot's
 * manifest carries it. @throws CodecError when malformed
 */
export function decodeChainMeta(raw: Uint8Array) {
  const m = decode(ChainMetaCodec, raw);
  return {
    height: m.height,
    lastBlockHash: m.lastBlockHash,
    lastBlockTime: m.lastBlockTime,
    validatorSet: decodeSet(m.validatorSet),
    lastValidatorSet: decodeSet(m.lastValidatorSet),
  };
}

export type ChainStateErrorType =
  | { code: "STATE_GENESIS_MISMATCH" }
  | { code: "STATE_CORRUPT"; reason: string };
export class ChainStateError extends FastposError<ChainStateErrorType> {}

/**
 * Loads the state from the store, initialising it from genesis on first start.
 * @throws ChainStateError when the store belongs to another genesis or its state root does not match the
 *   last block's (refusing to run on corrupt state).
 */
export async function loadChainState(store: Store, genesis: Genesis): Promise<State> {
  const initial = stateFromGenesis(genesis);
  const storedGenesis = await store.getMeta("genesisHash");
  if (!storedGenesis) {
    await store.initState(initial.tree.entries(), {
      genesisHash: initial.genesisHash,
      ...chainMeta(initial),
    });
    return initial;
  }
  if (!bytesEqual(storedGenesis, initial.genesisHash)) {
    throw new ChainStateError(
      { code: "STATE_GENESIS_MISMATCH" },
      "the data directory belongs to a different genesis; use a fresh home or the matching genesis.json",
    );
  }
  const height = await store.height();
  if (height === 0n) return initial;
  const rawMeta = await store.getMeta("chain");
  if (!rawMeta)
    throw new ChainStateError(
      { code: "STATE_CORRUPT", reason: "no chain meta" },
      "stored state has no chain meta",
    );
  const meta = decode(ChainMetaCodec, rawMeta);
  let tree = StateTree.empty();
  for await (const [k, v] of store.stateEntries()) tree = tree.set(k, v);
  const lastBlock = await store.blockByHeight(height);
  if (!lastBlock)
    throw new ChainStateError({ code: "STATE_CORRUPT", reason: "missing last block" }, "last block missing");
  if (!bytesEqual(decodeBlock(lastBlock).header.stateRoot, tree.root())) {
    throw new ChainStateError(
      { code: "STATE_CORRUPT", reason: "state root mismatch" },
      `stored state does not match block ${height}'s state root; the data directory is corrupt`,
    );
  }
  return {
    ...initial,
    height: meta.height,
    lastBlockHash: meta.lastBlockHash,
    lastBlockTime: meta.lastBlockTime,
    tree,
    validatorSet: decodeSet(meta.validatorSet),
    lastValidatorSet: decodeSet(meta.lastValidatorSet),
  };
}
