import { describe, expect, it } from "vitest";
import {
  extractSection,
  type FailedAttempt,
  failureGist,
  hostRange,
  type RawScaleRun,
  replaceSection,
  runOrder,
  SCALE_HEADING,
  type ScaleDoc,
  scaleSection,
  scaleTable,
  sizesWithoutRuns,
  summarizeSizes,
  verifyLimitTps,
  withRatios,
} from "../../../bench/scale-report.js";

const raw = (over: Partial<RawScaleRun>): RawScaleRun => ({
  validators: 4,
  run: 1,
  cores: 2,
  hostVerifyPerS: 8000,
  finalizedTps: 2400,
  cpuMsPerTx: 1,
  p50Ms: 300,
  p99Ms: 900,
  peakRssMBSum: 400,
  idle: { p50Ms: 20, p99Ms: 40 },
  ...over,
});

describe("bench:scale run order", () => {
  it("runs every size once per round, each round starting one size later", () => {
    expect(runOrder([4, 7, 10], 3).map((x) => `${x.run}:${x.validators}`)).toEqual([
      "1:4",
      "1:7",
      "1:10",
      "2:7",
      "2:10",
      "2:4",
      "3:10",
      "3:4",
      "3:7",
    ]);
    expect(runOrder([16], 2)).toEqual([
      { run: 1, validators: 16 },
      { run: 2, validators: 16 },
    ]);
  });
});

describe("bench:scale ratios", () => {
  it("takes the limit as cores × verify/s ÷ validators", () => {
    expect(verifyLimitTps(2, 8000, 4)).toBe(4000);
    expect(verifyLimitTps(2, 7000, 16)).toBe(875);
  });

  it("gives a run its share of the limit and its CPU per tx over N verifications", () => {
    // 2 × 8000 ÷ 4 = 4000 tx/s; 4 verifications at 8000/s = 0.5 ms.
    expect(withRatios(raw({}))).toMatchObject({ limitTps: 4000, shareOfLimit: 0.6, cpuRatio: 2 });
    // 2 × 6000 ÷ 7 = 1714.29 tx/s; 7 verifications at 6000/s = 1.1667 ms.
    const r = withRatios(raw({ validators: 7, hostVerifyPerS: 6000, finalizedTps: 1000, cpuMsPerTx: 3.5 }));
    expect(r).toMatchObject({ limitTps: 1714, shareOfLimit: 0.583, cpuRatio: 3 });
  });

  it("refuses a run without a positive host speed", () => {
    expect(() => withRatios(raw({ hostVerifyPerS: 0 }))).toThrow(RangeError);
    expect(() => withRatios(raw({ cores: 0 }))).toThrow(RangeError);
  });
});

describe("bench:scale medians", () => {
  const runs = [
    withRatios(
      raw({ run: 1, finalizedTps: 2000, cpuMsPerTx: 1.2, p99Ms: 800, idle: { p50Ms: 18, p99Ms: 30 } }),
    ),
    withRatios(raw({ run: 2, finalizedTps: 2400, hostVerifyPerS: 6000, cpuMsPerTx: 1, idle: null })),
    withRatios(
      raw({ run: 3, finalizedTps: 1800, cpuMsPerTx: 1.5, p50Ms: 500, idle: { p50Ms: 22, p99Ms: 50 } }),
    ),
    withRatios(raw({ validators: 16, finalizedTps: 500, p50Ms: 700, p99Ms: 1500, peakRssMBSum: 1601 })),
    withRatios(
      raw({ validators: 16, run: 2, finalizedTps: 600, p50Ms: 600, p99Ms: 1400, peakRssMBSum: 1600 }),
    ),
  ];

  it("takes each figure's median over the runs of a size, sizes ascending", () => {
    const [four, sixteen] = summarizeSizes([...runs].reverse());
    expect(four).toEqual({
      validators: 4,
      runs: 3,
      runsTps: [2000, 2400, 1800],
      medianTps: 2000,
      // limits 4000, 3000, 4000; shares 0.5, 0.8, 0.45
      medianLimitTps: 4000,
      medianShare: 0.5,
      medianCpuMsPerTx: 1.2,
      // ratios 1.2/0.5, 1/0.6667, 1.5/0.5
      medianCpuRatio: 2.4,
      medianP50Ms: 300,
      medianP99Ms: 900,
      medianPeakRssMBSum: 400,
      idleP50Ms: 20,
      idleP99Ms: 40,
    });
    expect(sixteen).toMatchObject({
      validators: 16,
      runs: 2,
      runsTps: [500, 600],
      medianTps: 550,
      medianLimitTps: 1000,
      medianShare: 0.55,
      medianP50Ms: 650,
      medianP99Ms: 1450,
      medianPeakRssMBSum: 1601,
    });
  });

  it("leaves idle latency out when no run measured it, and refuses no runs", () => {
    const [s] = summarizeSizes([withRatios(raw({ idle: null }))]);
    expect(s).toMatchObject({ idleP50Ms: null, idleP99Ms: null });
    expect(() => summarizeSizes([])).toThrow(RangeError);
  });

  it("renders one Markdown row per size with the runs, the share and the CPU ratio", () => {
    const table = scaleTable(summarizeSizes(runs)).split("\n");
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(
      /^\| validators \| finalized tx\/s, median \(runs\) \| verify-only limit \| share/,
    );
    expect(table[1]).toBe("| --- | --- | --- | --- | --- | --- | --- | --- |");
    expect(table[2]).toBe(
      "| 4 | **2000** (2000, 2400, 1800) | 4000 | **0.50** | 1.2 ms (2.4×) | 300 / 900 ms | 20 / 40 ms | 400 MB |",
    );
    // 16 verifications at 8000/s = 2 ms: 1 ms per tx is half of that.
    expect(table[3]).toBe(
      "| 16 | **550** (500, 600) | 1000 | **0.55** | 1 ms (0.5×) | 650 / 1450 ms | 20 / 40 ms | 1601 MB |",
    );
    expect(scaleTable(summarizeSizes([withRatios(raw({ idle: null }))]))).toContain("| 300 / 900 ms | — |");
    expect(hostRange(runs)).toBe("6,000–8,000");
  });
});

describe("bench:scale section of results.md", () => {
  const doc = (runs: RawScaleRun[]): ScaleDoc => {
    const rs = runs.map(withRatios);
    return {
      date: "2026-12-01T23:59:00.000Z",
      machine: { cpus: 2, cpuModel: "AMD EPYC", memGiB: 24, node: "v20.20.2" },
      durationS: 20,
      idleTxs: 20,
      runs: rs,
      sizes: summarizeSizes(rs),
      failed: [],
    };
  };
  const section = scaleSection(doc([raw({})]));
  const suite =
    "Measured by the suite.\n\n| benchmark | result | target |\n| --- | --- | --- |\n| a | b | c |\n";

  it("has the heading, the table and the chart", () => {
    expect(section.startsWith(`${SCALE_HEADING}\n`)).toBe(true);
    expect(section).toContain("| 4 | **2400** (2400) | 4000 | **0.60** |");
    expect(section).toContain("host single-core verify 8,000–8,000/s");
    expect(section).toContain("![scale curve](scale.svg)");
  });

  it("says which attempts failed, by size and error code", () => {
    const failed: FailedAttempt[] = [
      {
        run: 1,
        validators: 10,
        attempt: 1,
        phase: "max load",
        error: "run 1/3: NODE_UNREACHABLE: cannot reach",
      },
      {
        run: 2,
        validators: 10,
        attempt: 1,
        phase: "max load",
        error: "run 2/3: NODE_UNREACHABLE: cannot reach",
      },
      { run: 2, validators: 16, attempt: 2, phase: "max load", error: "bench did not finish within 260 s" },
      { run: 1, validators: 4, attempt: 1, phase: "idle", error: "TX_TIMEOUT: not final" },
    ];
    expect(failureGist(failed)).toBe(
      "10 validators: 2 × NODE_UNREACHABLE; 16 validators: 1 × other error; 4 validators (idle): 1 × TX_TIMEOUT",
    );
    const text = scaleSection({ ...doc([raw({})]), failed });
    expect(text).toContain("4 attempt(s) failed and gave no figures (10 validators: 2 × NODE_UNREACHABLE;");
    expect(section).not.toContain("failed");
  });

  it("gives a size whose every attempt failed a row saying so, in its place", () => {
    const failed: FailedAttempt[] = [1, 2, 3].map((attempt) => ({
      run: 1,
      validators: 16,
      attempt,
      phase: "max load" as const,
      error: "run 1/1: NODE_UNREACHABLE: cannot reach the node",
    }));
    failed.push({ run: 1, validators: 4, attempt: 1, phase: "max load", error: "TIMEOUT_X: slow" });
    const sizes = summarizeSizes([withRatios(raw({})), withRatios(raw({ validators: 7 }))]);
    expect(sizesWithoutRuns(sizes, failed)).toEqual([16]);
    const rows = scaleTable(sizes, failed).split("\n").slice(2);
    expect(rows.map((r) => r.split(" | ")[0])).toEqual(["| 4", "| 7", "| 16"]);
    expect(rows[2]).toBe(
      "| 16 | no figures: all 3 attempts failed (3 × NODE_UNREACHABLE) | — | — | — | — | — | — |",
    );
    expect(scaleTable(sizes)).not.toContain("no figures");
  });

  it("is appended after the suite's table, then replaced in place", () => {
    const first = replaceSection(suite, section);
    expect(first).toBe(`${suite}\n${section}`);
    const again = scaleSection(doc([raw({ finalizedTps: 1000 })]));
    const second = replaceSection(first, again);
    expect(second).toBe(`${suite}\n${again}`);
    expect(second.split(SCALE_HEADING)).toHaveLength(2);
    expect(replaceSection("", section)).toBe(section);
  });

  it("replaces only its own section when another one follows", () => {
    const md = `${suite}\n${section}\n## Other\n\nkept\n`;
    const out = replaceSection(md, scaleSection(doc([raw({ finalizedTps: 1000 })])));
    expect(out).toContain("| 4 | **1000** (1000) |");
    expect(out).not.toContain("**2400**");
    expect(out.endsWith("![scale curve](scale.svg)\n\n## Other\n\nkept\n")).toBe(true);
    expect(out.startsWith(suite)).toBe(true);
  });

  it("survives the suite rewriting the file (what bench/suite.ts does)", () => {
    const old = replaceSection(suite, section);
    const kept = extractSection(old, SCALE_HEADING);
    expect(kept).toBe(section);
    const rewritten = "Measured again.\n\n| benchmark | result | target |\n";
    expect(replaceSection(rewritten, kept as string)).toBe(`${rewritten}\n${section}`);
    expect(extractSection(suite, SCALE_HEADING)).toBeNull();
  });
});
