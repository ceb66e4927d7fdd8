import type { Block, Penalty } from "../core/chain/index.js";
import { toHex } from "../core/codec/index.js";
import type { Msg } from "./types.js";

/**
 * What a run measured: message counts by kind, per-height rounds and first-commit times, every node's
 * commit latency (height start → commit), proposer frequency, penalties the chain applied.
 */
export class Stats {
  sent = { proposal: 0, prevote: 0, precommit: 0 };
  lost = 0;
  resent = 0;
  relayed = 0;
  stale = 0;
  late = 0;
  futureDropped = 0;
  badSignatures = 0;
  wrongProposer = 0;
  invalidBlocks = 0;
  evidenceSeen = 0;
  signatures = 0;
  steps = 0;
  syncRequests = 0;
  synced = 0;
  crashes = 0;
  restarts = 0;
  walReplayed = 0;
  faults = 0;
  txRejected = 0;
  /** Per height (index = height − 1): decided round, first-commit time, txs. */
  rounds: number[] = [];
  commitAt: number[] = [];
  txs: number[] = [];
  latencies: number[] = [];
  proposerCount: number[];
  penalties: { height: string; validator: string; reason: string; burned: string; tombstoned: boolean }[] =
    [];

  constructor(validators: number) {
    this.proposerCount = new Array<number>(validators).fill(0);
  }

  countSend(m: Msg): void {
    if (m.kind === "proposal") this.sent.proposal++;
    else this.sent[m.signed.vote.type]++;
  }

  firstCommit(height: bigint, at: number, round: number, block: Block, proposer: number): void {
    const i = Number(height) - 1;
    this.rounds[i] = round;
    this.commitAt[i] = at;
    this.txs[i] = block.txs.length;
    if (proposer >= 0) this.proposerCount[proposer] = (this.proposerCount[proposer] ?? 0) + 1;
  }

  commitLatency(ms: number): void {
    this.latencies.push(ms);
  }

  penalty(height: bigint, p: Penalty): void {
    this.penalties.push({
      height: height.toString(),
      validator: toHex(p.validator),
      reason: p.reason,
      burned: p.burned.toString(),
      tombstoned: p.tombstoned,
    });
  }
}

/** The q-quantile (0…1) of numbers, nearest-rank; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** p50/p90/p99/max and the mean (rounded to 0.1 ms). */
export function distribution(values: readonly number[]): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
  return {
    p50: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: values.reduce((m, v) => Math.max(m, v), 0),
    mean: Math.round(mean * 10) / 10,
  };
}
