import { FastposError } from "../errors.js";

/** Base of every state-transition error: `applyTx`/`applyBlock` only ever throw ChainErrors. */
export class ChainError<T extends { code: string } & Record<string, unknown>> extends FastposError<T> {}

/** Why a transaction was rejected (STYLE.md "Errors"). */
export type TxErrorType =
  | { code: "TX_WRONG_CHAIN"; expected: string; got: string }
  | { code: "TX_BAD_SIGNATURE" }
  | { code: "TX_BAD_PUBLIC_KEY" }
  | { code: "TX_BAD_NONCE"; expected: bigint; got: bigint }
  | { code: "TX_INSUFFICIENT_FUNDS"; need: bigint; have: bigint }
  | { code: "TX_FEE_TOO_LOW"; min: bigint; got: bigint }
  | { code: "TX_ZERO_AMOUNT" }
  | { code: "TX_OVERFLOW"; what: string }
  | { code: "TX_TOO_LARGE"; size: number; max: number }
  | { code: "TX_UNSUPPORTED_TYPE"; type: string }
  | { code: "TX_UNKNOWN_VALIDATOR"; validator: string }
  | { code: "TX_NOT_OPERATOR"; validator: string }
  | { code: "TX_BELOW_MIN_STAKE"; min: bigint; got: bigint }
  | { code: "TX_INSUFFICIENT_STAKE"; need: bigint; have: bigint }
  | { code: "TX_TOO_MANY_UNBONDING"; max: number }
  | { code: "TX_NOT_JAILED"; validator: string }
  | { code: "TX_JAILED_UNTIL"; validator: string; until: bigint }
  | { code: "TX_TOMBSTONED"; validator: string }
  | { code: "TX_NOT_AUTHORIZED"; reason: string }
  | { code: "TX_BAD_ARGUMENT"; reason: string }
  | { code: "TX_MALFORMED"; reason: string }
  | { code: "TX_NOT_FOUND"; what: string }
  | { code: "TX_DUPLICATE"; what: string }
  | { code: "TX_OUT_OF_WINDOW"; what: string; epoch: bigint; current: bigint }
  | { code: "TX_BAD_QUORUM"; reason: string; have: number; need: number };
export class TxError extends ChainError<TxErrorType> {}

/** Why a block was rejected. */
export type BlockErrorType =
  | { code: "BLOCK_WRONG_CHAIN" }
  | { code: "BLOCK_BAD_HEIGHT"; expected: bigint; got: bigint }
  | { code: "BLOCK_BAD_PARENT" }
  | { code: "BLOCK_BAD_TIME"; reason: string }
  | { code: "BLOCK_BAD_TX_ROOT" }
  | { code: "BLOCK_BAD_STATE_ROOT" }
  | { code: "BLOCK_BAD_VALIDATORS_HASH" }
  | { code: "BLOCK_BAD_LAST_COMMIT"; reason: string }
  | { code: "BLOCK_BAD_EVIDENCE"; reason: string; index?: number; evidenceCode?: EvidenceErrorType["code"] }
  | { code: "BLOCK_UNKNOWN_PROPOSER" }
  | { code: "BLOCK_TOO_LARGE"; reason: string }
  | { code: "BLOCK_INVALID_TX"; index: number; txCode: string; reason: string }
  | { code: "BLOCK_MALFORMED"; reason: string };
export class BlockError extends ChainError<BlockErrorType> {}

/**
 * Why duplicate-vote evidence is not acceptable against a state (issue 15). A proposer's evidence pool keeps
 * EVIDENCE_FUTURE items (valid once their height is committed) and drops every other code for good.
 */
export type EvidenceErrorType =
  | { code: "EVIDENCE_NOT_CONFLICTING"; reason: string }
  | { code: "EVIDENCE_FUTURE"; height: bigint; lastHeight: bigint }
  | { code: "EVIDENCE_TOO_OLD"; height: bigint; maxAge: bigint }
  | { code: "EVIDENCE_UNKNOWN_VALIDATOR"; validator: string; height: bigint }
  | { code: "EVIDENCE_BAD_SIGNATURE" }
  | { code: "EVIDENCE_ALREADY_COMMITTED"; committedAt: bigint }
  | { code: "EVIDENCE_TOMBSTONED"; validator: string };
export class EvidenceError extends ChainError<EvidenceErrorType> {}
