import { encode, U64_MAX } from "../../codec/index.js";
import { addressBytes } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { type Account, AccountCodec, accountKey, getAccount } from "../state.js";
import type { StateTree } from "../state-tree.js";
import type { Tx, TxPayload, UnsignedTx } from "../tx.js";
import { applyBond } from "./bond.js";
import { applyDelegate } from "./delegate.js";
import { applyProductTx } from "./product-tx.js";
import { applyTransferTx, PendingState } from "./transfer.js";
import { validateTxSignature, validateTxStatic } from "./tx-rules.js";
import { applyUndelegate } from "./undelegate.js";
import { applyUnjail } from "./unjail.js";
import { applyEditValidator, applySetWorkWeight } from "./validator-admin.js";

/** What a tx needs beyond the state. */
export interface TxContext {
  chainId: string;
  params: Params;
  /** Account credited with fees: the block proposer's operator (DESIGN.md §3; see docs/fees.md). */
  feeRecipient: Uint8Array;
  /** Height of the block the tx is in (unbonding release epochs derive from it). */
  height: bigint;
  /**
   * Skip the signature check because the caller already verified this exact tx (the mempool verifies once
   * at admission). SECURITY: only for txs whose signature this node checked itself.
   */
  signatureVerified?: boolean;
}

/**
 * Applies one tx to `tree` and returns the new tree; the input is never modified.
 * Order (shared with mempool admission, see tx-rules.ts): static checks (chain, size, fee floor) → nonce →
 * fee funds → key and signature → payload.
 * @throws TxError (only TxErrors) when the tx is invalid against this state.
 */
export function applyTxToTree(tree: StateTree, tx: Tx, ctx: TxContext): StateTree {
  const state = new PendingState(tree);
  applyTx(state, tx, ctx);
  return state.tree();
}

/**
 * Applies one tx to a block's pending state (same rules as `applyTxToTree`). A tx that throws leaves
 * `state` as it was.
 * @throws TxError (only TxErrors) when the tx is invalid against this state.
 */
export function applyTx(state: PendingState, tx: Tx, ctx: TxContext): void {
  const b = tx.body;
  validateTxStatic(tx, ctx);
  const sender = addressBytes(b.from);
  const acct = state.getAccount(sender);
  if (b.nonce !== acct.nonce) {
    throw new TxError(
      { code: "TX_BAD_NONCE", expected: acct.nonce, got: b.nonce },
      `bad nonce: expected ${acct.nonce}, got ${b.nonce}`,
    );
  }
  if (acct.balance < b.fee) {
    throw new TxError(
      { code: "TX_INSUFFICIENT_FUNDS", need: b.fee, have: acct.balance },
      `insufficient funds for the fee: need ${b.fee}, have ${acct.balance}`,
    );
  }
  if (!ctx.signatureVerified) validateTxSignature(tx);
  if (acct.nonce === U64_MAX) throw new TxError({ code: "TX_OVERFLOW", what: "nonce" }, "nonce exhausted");
  const p = b.payload;
  if (p.type === "transfer") {
    return applyTransferTx(state, {
      sender,
      senderAccount: acct,
      fee: b.fee,
      feeRecipient: ctx.feeRecipient,
      transfer: p.value,
    });
  }
  // Fee and nonce first; a failing payload rejects the whole tx (`state` keeps the old tree).
  state.replaceTree(applyOtherTx(state.tree(), b, p, sender, acct, ctx));
}

/** Every tx but a transfer: fee and nonce, then the payload, on the tree. */
function applyOtherTx(
  tree: StateTree,
  b: UnsignedTx,
  p: Exclude<TxPayload, { type: "transfer" }>,
  sender: Uint8Array,
  acct: Account,
  ctx: TxContext,
): StateTree {
  let next = tree.set(
    accountKey(sender),
    encode(AccountCodec, { balance: acct.balance - b.fee, nonce: acct.nonce + 1n }),
  );
  if (b.fee > 0n) {
    const r = getAccount(next, ctx.feeRecipient);
    if (r.balance + b.fee > U64_MAX)
      throw new TxError(
        { code: "TX_OVERFLOW", what: "fee recipient balance" },
        "fee recipient balance would overflow",
      );
    next = next.set(accountKey(ctx.feeRecipient), encode(AccountCodec, { ...r, balance: r.balance + b.fee }));
  }
  switch (p.type) {
    case "bond":
      return applyBond(next, sender, p.value, ctx.params);
    case "delegate":
      return applyDelegate(next, sender, p.value);
    case "unbond":
      return applyUndelegate(next, sender, p.value, {
        params: ctx.params,
        height: ctx.height,
        asOperator: true,
      });
    case "undelegate":
      return applyUndelegate(next, sender, p.value, {
        params: ctx.params,
        height: ctx.height,
        asOperator: false,
      });
    case "edit-validator":
      return applyEditValidator(next, sender, p.value);
    case "unjail":
      return applyUnjail(next, sender, p.value, ctx);
    case "set-work-weight":
      return applySetWorkWeight(next, sender, p.value);
    default:
      return applyProductTx(next, b, p, sender, ctx);
  }
}
