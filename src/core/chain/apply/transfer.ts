import { encode, U64_MAX } from "../../codec/index.js";
import { TxError } from "../errors.js";
import { AccountCodec, accountKey, getAccount } from "../state.js";
import type { StateTree } from "../state-tree.js";
import type { Transfer } from "../tx.js";

/**
 * The checks of a transfer that need no state (mempool admission runs them without simulating the tx).
 * @throws TxError TX_ZERO_AMOUNT
 */
export function checkTransfer(t: Transfer): void {
  if (t.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "transfer amount must be > 0");
}

/**
 * Moves `amount` from the sender to `to` (DESIGN.md §3). The sender's fee and nonce are handled by
 * `applyTx` before this runs, on the tree passed in.
 * @throws TxError TX_ZERO_AMOUNT | TX_INSUFFICIENT_FUNDS | TX_OVERFLOW
 */
export function applyTransfer(tree: StateTree, sender: Uint8Array, t: Transfer): StateTree {
  checkTransfer(t);
  const from = getAccount(tree, sender);
  if (from.balance < t.amount) {
    throw new TxError(
      { code: "TX_INSUFFICIENT_FUNDS", need: t.amount, have: from.balance },
      `insufficient funds: need ${t.amount}, have ${from.balance}`,
    );
  }
  tree = tree.set(accountKey(sender), encode(AccountCodec, { ...from, balance: from.balance - t.amount }));
  const to = getAccount(tree, t.to);
  if (to.balance + t.amount > U64_MAX) {
    throw new TxError(
      { code: "TX_OVERFLOW", what: "recipient balance" },
      "recipient balance would exceed 2^64-1",
    );
  }
  return tree.set(accountKey(t.to), encode(AccountCodec, { ...to, balance: to.balance + t.amount }));
}
