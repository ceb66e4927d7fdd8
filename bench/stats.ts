/**
 * Pure statistics of `npm run bench:compare` (bench/compare.ts): medians and the per-pair ratios of an
 * interleaved A/B run. No I/O, so the numbers a contributor reads are pinned by unit tests
 * (test/unit/bench/stats.test.ts).
 */

/** The median (mean of the two middle values for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** What one max-load bench run reports, as far as the comparison needs it. */
export interface RunResult {
  finalizedTps: number;
  cpuMsPerTx: number;
  p50Ms: number;
}

/** One run of the comparison: its side (A = the ref, B = the working tree), pair and place in the pair. */
export interface CompareRun extends RunResult {
  side: "A" | "B";
  pair: number;
  /** 1 when this side ran first in its pair, 2 when second. */
  order: 1 | 2;
}

export interface PairRatio {
  pair: number;
  /** B's finalized tx/s over A's: above 1 is faster. */
  tps: number;
  /** B's node CPU per tx over A's: below 1 is cheaper. */
  cpuPerTx: number;
}

export interface SideSummary {
  runs: number;
  medianTps: number;
  medianCpuMsPerTx: number;
  medianP50Ms: number;
}

export interface CompareSummary {
  pairs: PairRatio[];
  /** Median over the pairs of B/A (each pair ran back to back, so it shares the host's speed of the hour). */
  medianTpsRatio: number;
  medianCpuRatio: number;
  a: SideSummary;
  b: SideSummary;
}

/** Which side runs first in pair `pair` (1-based): A in odd pairs, B in even ones, so neither always leads. */
export function pairOrder(pair: number): ["A", "B"] | ["B", "A"] {
  return pair % 2 === 1 ? ["A", "B"] : ["B", "A"];
}

function side(runs: readonly CompareRun[]): SideSummary {
  return {
    runs: runs.length,
    medianTps: median(runs.map((r) => r.finalizedTps)),
    medianCpuMsPerTx: median(runs.map((r) => r.cpuMsPerTx)),
    medianP50Ms: median(runs.map((r) => r.p50Ms)),
  };
}

/**
 * The per-pair ratios B/A and their medians. Only complete pairs (one A and one B run) count.
 * Throws RangeError when no pair is complete or a run reports a value that is not a positive number
 * (a ratio of it would be meaningless).
 */
export function summarize(runs: readonly CompareRun[]): CompareSummary {
  for (const r of runs)
    if (!(r.finalizedTps > 0 && r.cpuMsPerTx > 0))
      throw new RangeError(
        `run ${r.side} of pair ${r.pair} reports ${r.finalizedTps} tx/s, ${r.cpuMsPerTx} ms/tx`,
      );
  const pairs: PairRatio[] = [];
  for (const pair of [...new Set(runs.map((r) => r.pair))].sort((x, y) => x - y)) {
    const a = runs.find((r) => r.pair === pair && r.side === "A");
    const b = runs.find((r) => r.pair === pair && r.side === "B");
    if (a && b)
      pairs.push({ pair, tps: b.finalizedTps / a.finalizedTps, cpuPerTx: b.cpuMsPerTx / a.cpuMsPerTx });
  }
  if (pairs.length === 0) throw new RangeError("no complete A/B pair to compare");
  return {
    pairs,
    medianTpsRatio: median(pairs.map((p) => p.tps)),
    medianCpuRatio: median(pairs.map((p) => p.cpuPerTx)),
    a: side(runs.filter((r) => r.side === "A")),
    b: side(runs.filter((r) => r.side === "B")),
  };
}

/** A ratio as a signed percentage change, e.g. 0.83 → "−17.0%", 1.02 → "+2.0%". */
export function percentChange(ratio: number): string {
  const pct = (ratio - 1) * 100;
  return `${pct < 0 ? "−" : "+"}${Math.abs(pct).toFixed(1)}%`;
}
