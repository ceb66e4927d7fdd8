import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Account,
  AccountCodec,
  accountKey,
  applyTransferTx,
  getAccount,
  PendingState,
  StateTree,
  TxError,
} from "../../src/core/chain/index.js";
import { encode, U64_MAX } from "../../src/core/index.js";

/**
 * `applyTransferTx` reads and writes each account once; the protocol is defined step by step (fee and
 * nonce, fee credit, amount out, amount in, each on the tree the previous step left). This pins the two to
 * the same result — tree, written keys and error — for every aliasing of sender, fee recipient and
 * recipient, including overflows and insufficient funds.
 */
function stepByStep(
  tree: StateTree,
  o: {
    sender: Uint8Array;
    senderAccount: Account;
    fee: bigint;
    feeRecipient: Uint8Array;
    to: Uint8Array;
    amount: bigint;
  },
): StateTree {
  const put = (t: StateTree, address: Uint8Array, a: Account) =>
    t.set(accountKey(address), encode(AccountCodec, a));
  let next = put(tree, o.sender, {
    balance: o.senderAccount.balance - o.fee,
    nonce: o.senderAccount.nonce + 1n,
  });
  if (o.fee > 0n) {
    const r = getAccount(next, o.feeRecipient);
    if (r.balance + o.fee > U64_MAX)
      throw new TxError({ code: "TX_OVERFLOW", what: "fee recipient balance" }, "");
    next = put(next, o.feeRecipient, { ...r, balance: r.balance + o.fee });
  }
  if (o.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "");
  const from = getAccount(next, o.sender);
  if (from.balance < o.amount)
    throw new TxError({ code: "TX_INSUFFICIENT_FUNDS", need: o.amount, have: from.balance }, "");
  next = put(next, o.sender, { ...from, balance: from.balance - o.amount });
  const to = getAccount(next, o.to);
  if (to.balance + o.amount > U64_MAX)
    throw new TxError({ code: "TX_OVERFLOW", what: "recipient balance" }, "");
  return put(next, o.to, { ...to, balance: to.balance + o.amount });
}

function outcome(run: (journal: Uint8Array[]) => StateTree) {
  const journal: Uint8Array[] = [];
  try {
    const tree = run(journal);
    return {
      root: Buffer.from(tree.root()).toString("hex"),
      keys: new Set(journal.map((k) => Buffer.from(k).toString("hex"))),
    };
  } catch (err) {
    if (!(err instanceof TxError)) throw err;
    return { error: err.type };
  }
}

const addresses = [1, 2, 3].map((i) => new Uint8Array(20).fill(i));
const balance = fc.oneof(
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: U64_MAX - 1000n, max: U64_MAX }),
);

describe("transfer execution", () => {
  it("reading each account once gives exactly the step-by-step result for every aliasing", () => {
    fc.assert(
      fc.property(
        fc.tuple(balance, balance, balance),
        fc.record({
          sender: fc.integer({ min: 0, max: 2 }),
          feeRecipient: fc.integer({ min: 0, max: 2 }),
          to: fc.integer({ min: 0, max: 2 }),
          fee: fc.bigInt({ min: 0n, max: 600n }),
          amount: fc.bigInt({ min: 0n, max: 600n }),
          nonce: fc.bigInt({ min: 0n, max: 5n }),
        }),
        (balances, c) => {
          let base = StateTree.empty();
          balances.forEach((b, i) => {
            base = base.set(accountKey(addresses[i]!), encode(AccountCodec, { balance: b, nonce: c.nonce }));
          });
          const sender = addresses[c.sender]!;
          const senderAccount = getAccount(base, sender);
          fc.pre(senderAccount.balance >= c.fee); // the caller's check before either runs
          const o = {
            sender,
            senderAccount,
            fee: c.fee,
            feeRecipient: addresses[c.feeRecipient]!,
            to: addresses[c.to]!,
            amount: c.amount,
          };
          const fast = outcome((j) => {
            const pending = new PendingState(base.withJournal(j));
            applyTransferTx(pending, { ...o, transfer: { to: o.to, amount: o.amount } });
            return pending.tree();
          });
          const reference = outcome((j) => stepByStep(base.withJournal(j), o));
          expect(fast).toEqual(reference);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a block's run of transfers on one pending state equals applying them one by one to the tree", () => {
    const transfer = fc.record({
      sender: fc.integer({ min: 0, max: 2 }),
      to: fc.integer({ min: 0, max: 2 }),
      fee: fc.bigInt({ min: 0n, max: 300n }),
      amount: fc.bigInt({ min: 0n, max: 500n }),
    });
    fc.assert(
      fc.property(
        fc.tuple(balance, balance, balance),
        fc.integer({ min: 0, max: 2 }),
        fc.array(transfer, { minLength: 1, maxLength: 12 }),
        (balances, feeIndex, txs) => {
          let base = StateTree.empty();
          balances.forEach((b, i) => {
            base = base.set(accountKey(addresses[i]!), encode(AccountCodec, { balance: b, nonce: 0n }));
          });
          const feeRecipient = addresses[feeIndex]!;
          const journal: Uint8Array[] = [];
          const pending = new PendingState(base.withJournal(journal));
          let reference = base;
          const errors: [string | null, string | null][] = [];
          for (const t of txs) {
            const sender = addresses[t.sender]!;
            const o = { sender, fee: t.fee, feeRecipient, to: addresses[t.to]!, amount: t.amount };
            let fastError: string | null = null;
            let refError: string | null = null;
            // Fee check as the caller makes it, against each side's own state.
            const fastAccount = pending.getAccount(sender);
            if (fastAccount.balance < t.fee) fastError = "FEE";
            else {
              try {
                applyTransferTx(pending, {
                  ...o,
                  senderAccount: fastAccount,
                  transfer: { to: o.to, amount: o.amount },
                });
              } catch (err) {
                if (!(err instanceof TxError)) throw err;
                fastError = err.type.code;
              }
            }
            const refAccount = getAccount(reference, sender);
            if (refAccount.balance < t.fee) refError = "FEE";
            else {
              try {
                reference = stepByStep(reference, { ...o, senderAccount: refAccount });
              } catch (err) {
                if (!(err instanceof TxError)) throw err;
                refError = err.type.code;
              }
            }
            errors.push([fastError, refError]);
          }
          for (const [fastError, refError] of errors) expect(fastError).toBe(refError);
          const tree = pending.tree();
          expect(Buffer.from(tree.root()).toString("hex")).toBe(
            Buffer.from(reference.root()).toString("hex"),
          );
          // Every account that changed was written (so it is persisted).
          const written = new Set(journal.map((k) => Buffer.from(k).toString("hex")));
          for (const a of addresses) {
            const key = accountKey(a);
            const changed = Buffer.compare(base.get(key)!, reference.get(key) ?? new Uint8Array()) !== 0;
            if (changed) expect(written.has(Buffer.from(key).toString("hex"))).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
