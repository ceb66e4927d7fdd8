import { bytesEqual, bytesToString, encode, U64_MAX } from "../../codec/index.js";
import { TxError } from "../errors.js";
import { type Account, AccountCodec, accountKey, getAccount } from "../state.js";
import type { StateTree } from "../state-tree.js";
import type { Transfer } from "../tx.js";

/**
 * The state while a block's txs execute: a tree plus the accounts read or written since the tree was last
 * brought up to date, kept decoded. Transfers work on the accounts only; `tree()` writes each changed account
 * once. PERF: a block of transfers credits the same fee recipient in every tx and often touches a sender or
 * recipient more than once; each account is now decoded once and written to the tree (a path copy, an
 * encoding, a journal entry) once per block instead of once per tx.
 * The tree's shape does not depend on write order, so the root is the same as writing tx by tx.
 */
export class PendingState {
  private readonly accounts = new Map<string, { address: Uint8Array; account: Account; dirty: boolean }>();

  constructor(private current: StateTree) {}

  getAccount(address: Uint8Array): Account {
    const id = bytesToString(address, "latin1");
    const hit = this.accounts.get(id);
    if (hit) return hit.account;
    const account = getAccount(this.current, address);
    this.accounts.set(id, { address, account, dirty: false });
    return account;
  }

  setAccount(address: Uint8Array, account: Account): void {
    const id = bytesToString(address, "latin1");
    this.accounts.set(id, { address, account, dirty: true });
  }

  /** The tree with every account written so far. */
  tree(): StateTree {
    for (const e of this.accounts.values()) {
      if (!e.dirty) continue;
      this.current = this.current.set(accountKey(e.address), encode(AccountCodec, e.account));
      e.dirty = false;
    }
    return this.current;
  }

  /** Continues from `tree` (derived from `tree()`), e.g. after a non-transfer tx changed it directly. */
  replaceTree(tree: StateTree): void {
    this.accounts.clear();
    this.current = tree;
  }
}

/**
 * The checks of a transfer that need no state (mempool admission runs them without simulating the tx).
 * @throws TxError TX_ZERO_AMOUNT
 */
export function checkTransfer(t: Transfer): void {
  if (t.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "transfer amount must be > 0");
}

/**
 * A whole transfer tx after its nonce and fee-balance checks: the sender's fee and nonce, the fee credit,
 * then the amount from the sender to `to` (DESIGN.md §3). Same checks in the same order and the same
 * resulting tree as doing these steps one by one, but each account is read and written once (sender, fee
 * recipient and recipient may be the same account; every combination gives what the steps give).
 * PERF: executing a block of transfers runs this for every tx on every node.
 * @throws TxError TX_OVERFLOW | TX_ZERO_AMOUNT | TX_INSUFFICIENT_FUNDS
 */
export function applyTransferTx(
  state: PendingState,
  o: {
    sender: Uint8Array;
    senderAccount: Account;
    fee: bigint;
    feeRecipient: Uint8Array;
    transfer: Transfer;
  },
): void {
  const { sender, fee, feeRecipient, transfer: t } = o;
  // Step 1: fee and nonce (the caller checked the nonce and that the balance covers the fee).
  let s: Account = { balance: o.senderAccount.balance - fee, nonce: o.senderAccount.nonce + 1n };
  // Step 2: the fee credit.
  const feeToSender = bytesEqual(feeRecipient, sender);
  let p: Account | null = null;
  if (fee > 0n) {
    const r = feeToSender ? s : state.getAccount(feeRecipient);
    if (r.balance + fee > U64_MAX)
      throw new TxError(
        { code: "TX_OVERFLOW", what: "fee recipient balance" },
        "fee recipient balance would overflow",
      );
    if (feeToSender) s = { ...s, balance: s.balance + fee };
    else p = { ...r, balance: r.balance + fee };
  }
  // Step 3: the transfer.
  checkTransfer(t);
  if (s.balance < t.amount) {
    throw new TxError(
      { code: "TX_INSUFFICIENT_FUNDS", need: t.amount, have: s.balance },
      `insufficient funds: need ${t.amount}, have ${s.balance}`,
    );
  }
  s = { ...s, balance: s.balance - t.amount };
  const toSender = bytesEqual(t.to, sender);
  const toFeeRecipient = p !== null && bytesEqual(t.to, feeRecipient);
  const to = toSender ? s : toFeeRecipient ? (p as Account) : state.getAccount(t.to);
  if (to.balance + t.amount > U64_MAX) {
    throw new TxError(
      { code: "TX_OVERFLOW", what: "recipient balance" },
      "recipient balance would exceed 2^64-1",
    );
  }
  const credited = { ...to, balance: to.balance + t.amount };
  if (toSender) s = credited;
  else if (toFeeRecipient) p = credited;
  // Every check is above: a tx that throws has written nothing.
  state.setAccount(sender, s);
  if (p) state.setAccount(feeRecipient, p);
  if (!toSender && !toFeeRecipient) state.setAccount(t.to, credited);
}
