import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Account,
  AccountCodec,
  accountKey,
  applyTransferTx,
  getAccount,
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
          const fast = outcome((j) =>
            applyTransferTx(base.withJournal(j), { ...o, transfer: { to: o.to, amount: o.amount } }),
          );
          const reference = outcome((j) => stepByStep(base.withJournal(j), o));
          expect(fast).toEqual(reference);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
