import { LeakyScore, TokenBucket } from "./rate-limit.js";

/**
 * Per-peer tx gossip budgets (issue 24 item 4). The transport's message limit counts frames, and one frame
 * holds up to 1,000 txs, so tx gossip gets its own budget counted in txs AND bytes, with bursts of
 * `BURST_SECONDS`. Txs over it are dropped unprocessed; a peer that keeps going over it is banned
 * (what it sent beyond the budget reaches `OVERFLOW_SECONDS` of budget, leaking a tenth of a second's
 * worth each second). Hashes announced
 * or requested have a budget too, and so do the bytes this node sends in answer to requests (no
 * amplification). A junk score (refused txs, weighted by tx-rejections.ts) bans at `JUNK_LIMIT`.
 */
export interface TxBudgetLimits {
  /** Full txs accepted per second from one peer (hashes: twice as many). */
  txsPerSecond: number;
  /** Bytes of full txs accepted per second from one peer (and served to it on request). */
  txBytesPerSecond: number;
}

export const TX_BUDGET_DEFAULTS: TxBudgetLimits = { txsPerSecond: 5000, txBytesPerSecond: 4 << 20 };
export const BURST_SECONDS = 2;
/** A peer is banned once it has sent this many seconds' worth of budget beyond its budget. */
export const OVERFLOW_SECONDS = 2;
/** Junk score at which a peer is banned, and how fast it leaks (points per second). */
export const JUNK_LIMIT = 100;
export const JUNK_LEAK_PER_SECOND = 10;

export interface PeerTxBudget {
  /** How many of txs of these sizes, in order, fit the budget (their cost is taken). */
  takeTxs(sizes: readonly number[]): number;
  /** How many of `n` hashes fit the budget (taken). */
  takeHashes(n: number): number;
  /** Takes `bytes` of answer budget; false when over it (nothing more is sent now). */
  takeServe(bytes: number): boolean;
  /** Records `n` items dropped over budget; true when the peer should be banned. */
  overflow(n: number): boolean;
  /** Adds junk points; true when the peer should be banned. */
  junk(points: number): boolean;
}

export function createPeerTxBudget(limits: TxBudgetLimits, now: () => number): PeerTxBudget {
  const bucket = (rate: number) => new TokenBucket(rate, rate * BURST_SECONDS, now);
  const txs = bucket(limits.txsPerSecond);
  const bytes = bucket(limits.txBytesPerSecond);
  const hashes = bucket(limits.txsPerSecond * 2);
  const serve = bucket(limits.txBytesPerSecond);
  const over = new LeakyScore(limits.txsPerSecond * OVERFLOW_SECONDS, limits.txsPerSecond / 10, now);
  const junk = new LeakyScore(JUNK_LIMIT, JUNK_LEAK_PER_SECOND, now);
  return {
    takeTxs(sizes) {
      const maxCount = Math.floor(txs.available());
      let budget = bytes.available();
      let n = 0;
      while (n < sizes.length && n < maxCount && (sizes[n] as number) <= budget)
        budget -= sizes[n++] as number;
      let used = 0;
      for (let i = 0; i < n; i++) used += sizes[i] as number;
      txs.charge(n);
      bytes.charge(used);
      return n;
    },
    takeHashes(n) {
      const k = Math.min(n, Math.floor(hashes.available()));
      hashes.charge(k);
      return k;
    },
    takeServe: (n) => serve.take(n),
    overflow: (n) => over.add(n),
    junk: (points) => junk.add(points),
  };
}
