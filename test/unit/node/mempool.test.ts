import { describe, expect, it } from "vitest";
import { Mempool, MempoolError } from "../../../src/node/mempool.js";

let n = 0;
const tx = (sender: string, nonce: bigint, fee: bigint, size = 100) => ({
  hash: `h${n++}`,
  sender,
  nonce,
  fee,
  size,
  tx: `${sender}:${nonce}:${fee}`,
});
const limits = { maxTxs: 100, maxBytes: 100_000, maxPerSender: 10 };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof MempoolError) return err.code;
    throw err;
  }
  return undefined;
}

describe("mempool", () => {
  it("reaps by fee priority while keeping each sender's nonce order", () => {
    const m = new Mempool<string>(limits);
    m.add(tx("a", 0n, 1n), 0n);
    m.add(tx("a", 1n, 100n), 0n);
    m.add(tx("b", 0n, 50n), 0n);
    m.add(tx("c", 5n, 10n), 5n);
    // a's high-fee nonce 1 cannot go before a's low-fee nonce 0.
    expect(m.reap(10, 1e9)).toEqual(["b:0:50", "c:5:10", "a:0:1", "a:1:100"]);
    expect(m.reap(2, 1e9)).toEqual(["b:0:50", "c:5:10"]);
    expect(m.reap(10, 250)).toEqual(["b:0:50", "c:5:10"]);
  });

  it("rejects duplicates, used nonces, gaps and senders over their limit", () => {
    const m = new Mempool<string>({ ...limits, maxPerSender: 2 });
    const t = tx("a", 3n, 5n);
    m.add(t, 3n);
    expect(code(() => m.add(t, 3n))).toBe("MEMPOOL_DUPLICATE");
    expect(code(() => m.add(tx("a", 2n, 5n), 3n))).toBe("MEMPOOL_NONCE_TOO_LOW");
    expect(code(() => m.add(tx("a", 5n, 5n), 3n))).toBe("MEMPOOL_NONCE_GAP");
    m.add(tx("a", 4n, 5n), 3n);
    expect(code(() => m.add(tx("a", 5n, 5n), 3n))).toBe("MEMPOOL_SENDER_LIMIT");
    expect(m.stats.rejected).toBe(4);
  });

  it("replaces a pending tx only with a fee at least 10% higher", () => {
    const m = new Mempool<string>(limits);
    m.add(tx("a", 0n, 100n), 0n);
    expect(code(() => m.add(tx("a", 0n, 109n), 0n))).toBe("MEMPOOL_REPLACEMENT_UNDERPRICED");
    const r = m.add(tx("a", 0n, 110n), 0n);
    expect(r.replaced).toBeDefined();
    expect(m.size).toBe(1);
    expect(m.reap(10, 1e9)).toEqual(["a:0:110"]);
  });

  it("when full, evicts the lowest-fee tail for a better tx and refuses a worse one without evicting", () => {
    const m = new Mempool<string>({ ...limits, maxTxs: 3 });
    m.add(tx("a", 0n, 10n), 0n);
    m.add(tx("a", 1n, 1n), 0n); // a's tail, lowest fee
    m.add(tx("b", 0n, 5n), 0n);
    expect(code(() => m.add(tx("c", 0n, 1n), 0n))).toBe("MEMPOOL_FULL");
    expect(m.size).toBe(3);
    const r = m.add(tx("c", 0n, 7n), 0n);
    expect(r.evicted).toHaveLength(1);
    expect(m.reap(10, 1e9)).toEqual(["a:0:10", "c:0:7", "b:0:5"]);
    expect(m.stats.evicted).toBe(1);
  });

  it("respects the byte limit", () => {
    const m = new Mempool<string>({ ...limits, maxBytes: 250 });
    m.add(tx("a", 0n, 1n, 100), 0n);
    m.add(tx("b", 0n, 2n, 100), 0n);
    m.add(tx("c", 0n, 3n, 100), 0n); // evicts a
    expect(m.totalBytes).toBe(200);
    expect(code(() => m.add(tx("d", 0n, 3n, 1000), 0n))).toBe("MEMPOOL_TX_TOO_LARGE");
  });

  it("recheck after a block drops included nonces and txs that became invalid, with their successors", () => {
    const m = new Mempool<string>(limits);
    for (let i = 0n; i < 4n; i++) m.add(tx("a", i, 1n), 0n);
    m.add(tx("b", 0n, 1n), 0n);
    m.add(tx("b", 1n, 1n), 0n);
    const removed = m.recheck(
      (s) => (s === "a" ? 2n : 0n),
      (t) => t !== "b:0:1",
    );
    expect(removed).toHaveLength(4);
    expect(m.reap(10, 1e9)).toEqual(["a:2:1", "a:3:1"]);
  });

  it("recheck limited to the given senders leaves the other senders' txs alone", () => {
    const m = new Mempool<string>(limits);
    const [a0, a1, b0] = [tx("a", 0n, 1n), tx("a", 1n, 1n), tx("b", 0n, 1n)];
    for (const t of [a0, a1, b0]) m.add(t, 0n);
    const asked: string[] = [];
    const removed = m.recheck(
      (s) => {
        asked.push(s);
        return 1n; // both accounts moved on by one nonce
      },
      () => true,
      ["a", "a", "nobody"],
    );
    expect(asked).toEqual(["a"]);
    expect(removed).toEqual([a0.hash]);
    expect(m.senderOf(b0.hash)).toBe("b");
    expect(m.reap(10, 1e9)).toEqual(["a:1:1", "b:0:1"]);
  });

  it("knows txs whose nonce a block used after they left, but not ones dropped for other reasons", () => {
    const m = new Mempool<string>(limits);
    const used = tx("a", 0n, 1n);
    const invalid = tx("b", 0n, 1n);
    const successor = tx("b", 1n, 1n);
    for (const t of [used, invalid, successor]) m.add(t, 0n);
    m.recheck(
      (s) => (s === "a" ? 1n : 0n),
      (t) => t !== invalid.tx,
    );
    expect(m.size).toBe(0);
    expect(m.known(used.hash)).toBe(true);
    expect(m.known(invalid.hash)).toBe(false);
    expect(m.known(successor.hash)).toBe(false);
    // Bounded: only the most recent 2 × maxTxs removed hashes are remembered.
    const small = new Mempool<string>({ ...limits, maxTxs: 1 });
    const olds = [0n, 1n, 2n].map((i) => tx("c", i, 1n));
    for (const t of olds) {
      small.add(t, t.nonce);
      small.recheck(() => t.nonce + 1n);
    }
    expect(olds.map((t) => small.known(t.hash))).toEqual([false, true, true]);
  });
});
