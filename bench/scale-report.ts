/**
 * Pure parts of `npm run bench:scale` (bench/scale.ts): the run order, each run's share of the verify-only
 * limit, the medians per validator count, and the Markdown section of bench/results.md. No I/O, so every
 * figure the scale curve shows is pinned by test/unit/bench/scale-report.test.ts.
 *
 * The verify-only limit (issue 22): each validator verifies each tx once, so C cores that verify V
 * signatures/s each finalize at most C × V ÷ N tx/s on N validators; N verifications cost N × 1000 ÷ V ms.
 */
import { median } from "./stats.js";

/** What one max-load run measured, before the ratios (the host's speed read just before it). */
export interface RawScaleRun {
  validators: number;
  /** 1-based round: round r ran every size once. */
  run: number;
  /** Cores the limit assumes (os.cpus().length of the host). */
  cores: number;
  /** Single-core verifications/s (bench/host-speed.ts) just before the run. */
  hostVerifyPerS: number;
  finalizedTps: number;
  /** All nodes' CPU during the load per finalized tx. */
  cpuMsPerTx: number;
  /** Submit → final under the max load. */
  p50Ms: number;
  p99Ms: number;
  /** Peak RSS under load, summed over the nodes. */
  peakRssMBSum: number;
  /** Idle transfer → final (SDK) on a fresh devnet of the same size, or null when skipped. */
  idle: { p50Ms: number; p99Ms: number } | null;
}

export interface ScaleRun extends RawScaleRun {
  /** cores × verify/s ÷ validators, rounded to whole tx/s. */
  limitTps: number;
  /** finalizedTps ÷ the (unrounded) limit, to 3 decimals. */
  shareOfLimit: number;
  /** cpuMsPerTx ÷ (validators × one verify), to 2 decimals: 1 means the nodes did nothing but verify. */
  cpuRatio: number;
}

/** Medians over the runs of one validator count. */
export interface SizeSummary {
  validators: number;
  runs: number;
  runsTps: number[];
  medianTps: number;
  medianLimitTps: number;
  medianShare: number;
  medianCpuMsPerTx: number;
  medianCpuRatio: number;
  medianP50Ms: number;
  medianP99Ms: number;
  medianPeakRssMBSum: number;
  /** Medians of the runs' idle p50 / p99, or null when no run measured it. */
  idleP50Ms: number | null;
  idleP99Ms: number | null;
}

/** An attempt that produced no figures (the max load, or the idle latency after it). */
export interface FailedAttempt {
  run: number;
  validators: number;
  attempt: number;
  phase: "max load" | "idle";
  error: string;
}

/** What bench/scale.json holds. */
export interface ScaleDoc {
  date: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string };
  durationS: number;
  idleTxs: number;
  runs: ScaleRun[];
  sizes: SizeSummary[];
  failed: FailedAttempt[];
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The order of the runs: round 1 runs every size once, then round 2, ... (so the host's drift over the
 * hour spreads over all sizes), and each round starts one size later than the previous one (so no size
 * always runs first after the pause between rounds).
 */
export function runOrder(sizes: readonly number[], runs: number): { run: number; validators: number }[] {
  const out: { run: number; validators: number }[] = [];
  for (let r = 1; r <= runs; r++)
    for (let k = 0; k < sizes.length; k++)
      out.push({ run: r, validators: sizes[(k + r - 1) % sizes.length] as number });
  return out;
}

/** The verify-only limit in tx/s: cores × verify/s ÷ validators. */
export function verifyLimitTps(cores: number, verifyPerS: number, validators: number): number {
  return (cores * verifyPerS) / validators;
}

/**
 * A run with its limit, share of the limit and CPU ratio. Throws RangeError on a host speed, core or
 * validator count that is not positive (the ratios would be meaningless).
 */
export function withRatios(r: RawScaleRun): ScaleRun {
  if (!(r.hostVerifyPerS > 0 && r.cores > 0 && r.validators > 0))
    throw new RangeError(
      `run ${r.run} at ${r.validators} validators: host ${r.hostVerifyPerS} verify/s on ${r.cores} cores`,
    );
  const limit = verifyLimitTps(r.cores, r.hostVerifyPerS, r.validators);
  const verifiesMs = (r.validators * 1000) / r.hostVerifyPerS;
  return {
    ...r,
    limitTps: Math.round(limit),
    shareOfLimit: round(r.finalizedTps / limit, 3),
    cpuRatio: round(r.cpuMsPerTx / verifiesMs, 2),
  };
}

/** Medians per validator count, ascending. Throws RangeError for no runs. */
export function summarizeSizes(runs: readonly ScaleRun[]): SizeSummary[] {
  if (runs.length === 0) throw new RangeError("no run to summarize");
  const sizes = [...new Set(runs.map((r) => r.validators))].sort((a, b) => a - b);
  return sizes.map((validators) => {
    const mine = runs.filter((r) => r.validators === validators).sort((a, b) => a.run - b.run);
    const m = (f: (r: ScaleRun) => number) => median(mine.map(f));
    const idle = mine.flatMap((r) => (r.idle ? [r.idle] : []));
    return {
      validators,
      runs: mine.length,
      runsTps: mine.map((r) => r.finalizedTps),
      medianTps: m((r) => r.finalizedTps),
      medianLimitTps: Math.round(m((r) => r.limitTps)),
      medianShare: round(
        m((r) => r.shareOfLimit),
        3,
      ),
      medianCpuMsPerTx: round(
        m((r) => r.cpuMsPerTx),
        2,
      ),
      medianCpuRatio: round(
        m((r) => r.cpuRatio),
        2,
      ),
      medianP50Ms: Math.round(m((r) => r.p50Ms)),
      medianP99Ms: Math.round(m((r) => r.p99Ms)),
      medianPeakRssMBSum: Math.round(m((r) => r.peakRssMBSum)),
      idleP50Ms: idle.length ? round(median(idle.map((i) => i.p50Ms)), 1) : null,
      idleP99Ms: idle.length ? round(median(idle.map((i) => i.p99Ms)), 1) : null,
    };
  });
}

/** The heading of the section bench:scale owns in bench/results.md (bench/suite.ts keeps it). */
export const SCALE_HEADING = "## Scale curve";

/** The lowest and highest host verify/s over the runs, e.g. "5,310–6,620". */
export function hostRange(runs: readonly ScaleRun[]): string {
  const v = runs.map((r) => r.hostVerifyPerS);
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  return `${f(Math.min(...v))}–${f(Math.max(...v))}`;
}

/** Validator counts whose every max-load attempt failed (so no figures), ascending. */
export function sizesWithoutRuns(sizes: readonly SizeSummary[], failed: readonly FailedAttempt[]): number[] {
  const measured = new Set(sizes.map((s) => s.validators));
  const none = failed.filter((f) => f.phase === "max load" && !measured.has(f.validators));
  return [...new Set(none.map((f) => f.validators))].sort((a, b) => a - b);
}

/**
 * The Markdown table: one row per validator count, the medians and every run's tx/s; a size whose every
 * attempt failed gets a row saying so (its error codes), so a gap in the curve is never silent.
 */
export function scaleTable(sizes: readonly SizeSummary[], failed: readonly FailedAttempt[] = []): string {
  const measured = sizes.map((s) => ({
    validators: s.validators,
    cells: [
      s.validators,
      `**${Math.round(s.medianTps)}** (${s.runsTps.map(Math.round).join(", ")})`,
      s.medianLimitTps,
      `**${s.medianShare.toFixed(2)}**`,
      `${s.medianCpuMsPerTx} ms (${s.medianCpuRatio}×)`,
      `${s.medianP50Ms} / ${s.medianP99Ms} ms`,
      s.idleP50Ms === null ? "—" : `${s.idleP50Ms} / ${s.idleP99Ms} ms`,
      `${Math.round(s.medianPeakRssMBSum)} MB`,
    ].join(" | "),
  }));
  const missing = sizesWithoutRuns(sizes, failed).map((validators) => {
    const mine = failed.filter((f) => f.validators === validators && f.phase === "max load");
    const gist = failureGist(mine)
      .split("; ")
      .map((part) => part.replace(/^\d+ validators: /, ""))
      .join("; ");
    const note = `no figures: all ${mine.length} attempts failed (${gist})`;
    return { validators, cells: [validators, note, "—", "—", "—", "—", "—", "—"].join(" | ") };
  });
  const rows = [...measured, ...missing].sort((a, b) => a.validators - b.validators).map((r) => r.cells);
  return [
    "| validators | finalized tx/s, median (runs) | verify-only limit | share of limit | node CPU per tx (× N verifies) | submit → final p50 / p99 at max load | idle transfer → final p50 / p99 | peak RSS, all nodes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}

/** The whole section for bench/results.md, from its heading to the chart. */
export function scaleSection(doc: ScaleDoc): string {
  const m = doc.machine;
  return [
    SCALE_HEADING,
    "",
    `\`npm run bench:scale\`, measured ${doc.date} on ${m.cpus} cores (${m.cpuModel}), ${m.memGiB} GiB, Node ${m.node}: ` +
      `${doc.runs.length} runs of \`fastpos bench -n N --max --duration ${doc.durationS}s\`, interleaved across sizes; ` +
      `host single-core verify ${hostRange(doc.runs)}/s, read before every run. Limit = ${m.cpus} cores × verify/s ÷ N ` +
      `(of each run's own reading; medians shown); CPU ratio = node CPU per tx ÷ (N × one verify). ` +
      (doc.idleTxs > 0
        ? `Idle: ${doc.idleTxs} SDK transfers → final per run on a fresh \`devnet up -n N\`, 300 ms apart.`
        : "Idle latency not measured (--idle-txs 0)."),
    ...(doc.failed.length
      ? [
          "",
          `${doc.failed.length} attempt(s) failed and gave no figures (${failureGist(doc.failed)}); a failed max load ` +
            "was tried again (up to 3 attempts); all are listed under `failed` in scale.json.",
        ]
      : []),
    "",
    scaleTable(doc.sizes, doc.failed),
    "",
    "![scale curve](scale.svg)",
    "",
  ].join("\n");
}

/** The failures by size and error code, e.g. "10 validators: 2 × NODE_UNREACHABLE; 16 validators: 1 × TIMEOUT". */
export function failureGist(failed: readonly FailedAttempt[]): string {
  const counts = new Map<string, number>();
  for (const f of failed) {
    const code = /\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/.exec(f.error)?.[1] ?? "other error";
    const key = `${f.validators} validators${f.phase === "idle" ? " (idle)" : ""}: ${code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => k.replace(": ", `: ${n} × `)).join("; ");
}

/** Where `heading`'s section starts and ends in `md` (up to the next `## ` heading), or null. */
function sectionBounds(md: string, heading: string): [number, number] | null {
  const lines = md.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return null;
  let end = lines.findIndex((l, i) => i > start && /^##?\s/.test(l));
  if (end < 0) end = lines.length;
  const offset = (n: number) => lines.slice(0, n).reduce((t, l) => t + l.length + 1, 0);
  return [offset(start), Math.min(md.length, offset(end))];
}

/** The section under `heading` (through the line before the next `## ` heading), or null if absent. */
export function extractSection(md: string, heading: string): string | null {
  const b = sectionBounds(md, heading);
  return b ? md.slice(b[0], b[1]) : null;
}

/** `md` with the section under `section`'s first line replaced by `section`, or appended after a blank line. */
export function replaceSection(md: string, section: string): string {
  const heading = section.split("\n")[0] as string;
  const body = section.endsWith("\n") ? section : `${section}\n`;
  const b = sectionBounds(md, heading);
  if (b) {
    const rest = md.slice(b[1]);
    return md.slice(0, b[0]) + (rest && !body.endsWith("\n\n") ? `${body}\n` : body) + rest;
  }
  const base = md.replace(/\n*$/, "");
  return base ? `${base}\n\n${body}` : body;
}
