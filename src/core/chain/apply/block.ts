import { bytesEqual, encode } from "../../codec/index.js";
import type { SignatureMemo } from "../../crypto/index.js";
import { isFastposError } from "../../errors.js";
import {
  type Block,
  BlockCodec,
  evidenceRoot,
  type Header,
  hashHeader,
  lastCommitHash,
  txRoot,
} from "../block.js";
import { verifyCommit } from "../commit.js";
import { BlockError, TxError } from "../errors.js";
import { getValidator, type State } from "../state.js";
import type { StateTree } from "../state-tree.js";
import type { Tx } from "../tx.js";
import { advanceHeight, hashValidatorSet, indexOfValidator, type ValidatorSet } from "../validator-set.js";
import { EvidenceCodec } from "../vote.js";
import { applyBeginBlock, type RejectedEvidence } from "./begin-block.js";
import { finishBlock } from "./end-block.js";
import type { Penalty } from "./penalty.js";
import { PendingState } from "./transfer.js";
import { applyTx } from "./tx.js";

/** Inputs to `applyBlock` beyond the state and block. */
export interface BlockContext {
  /** The validator's clock (ms): a block may not be more than params.maxTimeDriftMs ahead of it. */
  now?: bigint;
  /**
   * Txs (these very objects, from `block.txs`) whose signatures this node already verified at mempool
   * admission: not verified again. By identity, so the check costs no hashing or hex.
   */
  verifiedTxs?: ReadonlySet<Tx>;
  /** Precommit signatures already verified (as votes): the lastCommit check skips them. */
  verifiedSignatures?: SignatureMemo;
  /** The block's encoded size, when the caller holds its bytes (saves re-encoding it to check the limit). */
  encodedSize?: number;
}

/** A state change for persistence: value null = deleted. */
export interface StateChange {
  key: Uint8Array;
  value: Uint8Array | null;
}

export interface AppliedBlock {
  state: State;
  hash: Uint8Array;
  changes: StateChange[];
  /** Validators this block slashed and jailed (double-sign evidence, downtime), in order. */
  penalties: Penalty[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function fail(type: ConstructorParameters<typeof BlockError>[0], message: string): never {
  throw new BlockError(type, message);
}

/** Header checks that need no execution (DESIGN.md §3, §4 "block validation before prevote"). */
function validateHeader(state: State, block: Block, ctx: BlockContext): void {
  const h = block.header;
  if (h.chainId !== state.chainId) fail({ code: "BLOCK_WRONG_CHAIN" }, `block is for chain ${h.chainId}`);
  if (h.height !== state.height + 1n) {
    fail(
      { code: "BLOCK_BAD_HEIGHT", expected: state.height + 1n, got: h.height },
      `block height ${h.height}, expected ${state.height + 1n}`,
    );
  }
  if (!bytesEqual(h.parentHash, state.lastBlockHash))
    fail({ code: "BLOCK_BAD_PARENT" }, "parentHash is not the last block");
  if (h.time <= state.lastBlockTime)
    fail({ code: "BLOCK_BAD_TIME", reason: "not after the parent" }, "block time must increase");
  if (ctx.now !== undefined && h.time > ctx.now + BigInt(state.params.maxTimeDriftMs)) {
    fail(
      { code: "BLOCK_BAD_TIME", reason: "too far in the future" },
      "block time is too far ahead of this node's clock",
    );
  }
  if (block.txs.length > state.params.maxBlockTxs) {
    fail(
      { code: "BLOCK_TOO_LARGE", reason: "too many txs" },
      `block has ${block.txs.length} txs, max ${state.params.maxBlockTxs}`,
    );
  }
  if (!bytesEqual(h.txRoot, txRoot(block.txs)))
    fail({ code: "BLOCK_BAD_TX_ROOT" }, "txRoot does not match the txs");
  if (!bytesEqual(h.evidenceRoot, evidenceRoot(block.evidence))) {
    fail({ code: "BLOCK_BAD_EVIDENCE", reason: "root mismatch" }, "evidenceRoot does not match");
  }
  if (!bytesEqual(h.lastCommitHash, lastCommitHash(block.lastCommit))) {
    fail({ code: "BLOCK_BAD_LAST_COMMIT", reason: "hash mismatch" }, "lastCommitHash does not match");
  }
  if (h.height === 1n) {
    if (block.lastCommit)
      fail({ code: "BLOCK_BAD_LAST_COMMIT", reason: "height 1 has none" }, "block 1 cannot carry a commit");
  } else {
    if (!block.lastCommit)
      fail({ code: "BLOCK_BAD_LAST_COMMIT", reason: "missing" }, "block needs the parent's commit");
    verifyCommit(
      block.lastCommit,
      state.lastValidatorSet,
      state.chainId,
      { height: state.height, blockHash: state.lastBlockHash },
      ctx.verifiedSignatures,
    );
  }
  if (!bytesEqual(h.validatorsHash, hashValidatorSet(state.validatorSet))) {
    fail({ code: "BLOCK_BAD_VALIDATORS_HASH" }, "validatorsHash is not the current set");
  }
  if (indexOfValidator(state.validatorSet, h.proposer) < 0)
    fail({ code: "BLOCK_UNKNOWN_PROPOSER" }, "proposer is not a validator");
  validateEvidenceLimits(state, block);
}

/** Count and bytes of the block's evidence (each item is checked as it is applied, see begin-block.ts). */
function validateEvidenceLimits(state: State, block: Block): void {
  const p = state.params;
  if (block.evidence.length > p.maxBlockEvidence) {
    fail(
      { code: "BLOCK_TOO_LARGE", reason: "too much evidence" },
      `block has ${block.evidence.length} evidence items, max ${p.maxBlockEvidence}`,
    );
  }
  let bytes = 0;
  for (const e of block.evidence) bytes += encode(EvidenceCodec, e).length;
  if (bytes > p.maxBlockEvidenceBytes) {
    fail(
      { code: "BLOCK_TOO_LARGE", reason: "too much evidence" },
      `block evidence is ${bytes} bytes, max ${p.maxBlockEvidenceBytes}`,
    );
  }
}

/**
 * Applies txs in order to `tree`. With `skipInvalid` (block building) invalid txs are dropped and
 * reported; otherwise the first invalid tx makes the block invalid.
 */
function applyTxs(
  state: State,
  tree: StateTree,
  txs: readonly Block["txs"][number][],
  feeRecipient: Uint8Array,
  verified: ReadonlySet<Tx> | undefined,
  skipInvalid: boolean,
): { tree: StateTree; included: Block["txs"][number][]; rejected: { index: number; error: TxError }[] } {
  const included: Block["txs"] = [];
  const rejected: { index: number; error: TxError }[] = [];
  const ctx = { chainId: state.chainId, params: state.params, feeRecipient, height: state.height + 1n };
  const checked = { ...ctx, signatureVerified: true };
  const pending = new PendingState(tree);
  txs.forEach((tx, index) => {
    try {
      applyTx(pending, tx, verified?.has(tx) ? checked : ctx);
      included.push(tx);
    } catch (err) {
      if (!(err instanceof TxError)) throw err;
      if (!skipInvalid) {
        fail(
          { code: "BLOCK_INVALID_TX", index, txCode: err.code, reason: err.message },
          `tx ${index} is invalid: ${err.message}`,
        );
      }
      rejected.push({ index, error: err });
    }
  });
  return { tree: pending.tree(), included, rejected };
}

function nextState(
  state: State,
  header: Header,
  hash: Uint8Array,
  tree: StateTree,
  nextSet: ValidatorSet,
): State {
  return {
    ...state,
    height: header.height,
    lastBlockHash: hash,
    lastBlockTime: header.time,
    tree: tree.withoutJournal(),
    lastValidatorSet: state.validatorSet,
    validatorSet: advanceHeight(nextSet),
  };
}

function collectChanges(journal: Uint8Array[], tree: StateTree): StateChange[] {
  const seen = new Map<string, Uint8Array>();
  for (const k of journal) seen.set(hex(k), k);
  return [...seen.values()].map((key) => ({ key, value: tree.get(key) ?? null }));
}

/**
 * Validates and executes a block against `state` (DESIGN.md §3): header checks, the parent's commit, its
 * evidence and downtime penalties (begin-block.ts), each tx in order, the next validator set (end-block.ts),
 * then the claimed next-set hash and state root against the re-executed ones.
 * @throws BlockError (only ChainErrors) if the block is invalid; `state` is never modified.
 */
export function applyBlock(state: State, block: Block, ctx: BlockContext = {}): AppliedBlock {
  try {
    validateHeader(state, block, ctx);
    if ((ctx.encodedSize ?? encode(BlockCodec, block).length) > state.params.maxBlockBytes) {
      fail(
        { code: "BLOCK_TOO_LARGE", reason: "too many bytes" },
        `block exceeds ${state.params.maxBlockBytes} bytes`,
      );
    }
    const proposer = getValidator(state, block.header.proposer);
    if (!proposer) fail({ code: "BLOCK_UNKNOWN_PROPOSER" }, "proposer is not a validator");
    const journal: Uint8Array[] = [];
    const begun = applyBeginBlock(state, state.tree.withJournal(journal), {
      evidence: block.evidence,
      lastCommit: block.lastCommit,
      skipInvalid: false,
    });
    const executed = applyTxs(state, begun.tree, block.txs, proposer.operator, ctx.verifiedTxs, false);
    const { tree, nextSet } = finishBlock(state, executed.tree, begun.penalties);
    if (!bytesEqual(block.header.nextValidatorsHash, hashValidatorSet(nextSet))) {
      fail({ code: "BLOCK_BAD_VALIDATORS_HASH" }, "nextValidatorsHash is not the next set");
    }
    if (!bytesEqual(tree.root(), block.header.stateRoot)) {
      fail({ code: "BLOCK_BAD_STATE_ROOT" }, "stateRoot does not match the re-executed state");
    }
    const hash = hashHeader(block.header);
    return {
      state: nextState(state, block.header, hash, tree, nextSet),
      hash,
      changes: collectChanges(journal, tree),
      penalties: begun.penalties,
    };
  } catch (err) {
    // Anything not already a ChainError (e.g. a codec error from a malformed field) is a malformed block.
    if (isFastposError(err)) {
      if (err instanceof BlockError || err instanceof TxError) throw err;
      fail({ code: "BLOCK_MALFORMED", reason: err.message }, `malformed block: ${err.message}`);
    }
    throw err;
  }
}

/** What a proposer builds: the block, the state after it, and the txs and evidence it had to leave out. */
export interface BuiltBlock extends AppliedBlock {
  block: Block;
  rejected: { index: number; error: TxError }[];
  /** Candidate evidence left out as invalid (items merely past the block's limits are not listed). */
  rejectedEvidence: RejectedEvidence[];
}

/**
 * Builds a valid block from candidate txs and evidence (invalid ones are dropped, evidence past the
 * block's limits waits): the proposer's side of `applyBlock`, returning the post-state so the proposer does
 * not re-execute its own block.
 */
export function buildBlock(
  state: State,
  o: {
    txs: readonly Block["txs"][number][];
    time: bigint;
    proposer: Uint8Array;
    lastCommit: Block["lastCommit"];
    evidence?: Block["evidence"];
    verifiedTxs?: ReadonlySet<Tx>;
  },
): BuiltBlock {
  const proposer = getValidator(state, o.proposer);
  if (!proposer) fail({ code: "BLOCK_UNKNOWN_PROPOSER" }, "proposer is not a validator");
  const journal: Uint8Array[] = [];
  const limited = o.txs.slice(0, state.params.maxBlockTxs);
  const begun = applyBeginBlock(state, state.tree.withJournal(journal), {
    evidence: o.evidence ?? [],
    lastCommit: o.lastCommit,
    skipInvalid: true,
  });
  const executed = applyTxs(state, begun.tree, limited, proposer.operator, o.verifiedTxs, true);
  const { included, rejected } = executed;
  const { tree, nextSet } = finishBlock(state, executed.tree, begun.penalties);
  const time = o.time > state.lastBlockTime ? o.time : state.lastBlockTime + 1n;
  const evidence = begun.included;
  const header: Header = {
    chainId: state.chainId,
    height: state.height + 1n,
    time,
    parentHash: state.lastBlockHash,
    txRoot: txRoot(included),
    stateRoot: tree.root(),
    validatorsHash: hashValidatorSet(state.validatorSet),
    nextValidatorsHash: hashValidatorSet(nextSet),
    proposer: o.proposer,
    lastCommitHash: lastCommitHash(o.lastCommit),
    evidenceRoot: evidenceRoot(evidence),
  };
  const block: Block = { header, txs: included, lastCommit: o.lastCommit, evidence };
  const hash = hashHeader(header);
  return {
    block,
    hash,
    rejected,
    rejectedEvidence: begun.rejected,
    penalties: begun.penalties,
    state: nextState(state, header, hash, tree, nextSet),
    changes: collectChanges(journal, tree),
  };
}
