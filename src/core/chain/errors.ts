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
  | { code: "TX_NOT_AUTHORIZED"; reason: string }
  | { code: "TX_BAD_ARGUMENT"; reason: string }
  | { code: "TX_MALFORMED"; reason: string };
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
  | { code: "BLOCK_BAD_EVIDENCE"; reason: string }
  | { code: "BLOCK_UNKNOWN_PROPOSER" }
  | { code: "BLOCK_TOO_LARGE"; reason: string }
  | { code: "BLOCK_INVALID_TX"; index: number; txCode: string; reason: string }
  | { code: "BLOCK_MALFORMED"; reason: string };
export class BlockError extends ChainError<BlockErrorType> {}
