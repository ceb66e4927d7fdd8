import { describe, expect, it } from "vitest";
import { type CompareRun, median, pairOrder, percentChange, summarize } from "../../../bench/stats.js";

const run = (
  side: "A" | "B",
  pair: number,
  order: 1 | 2,
  tps: number,
  cpu: number,
  p50: number,
): CompareRun => ({
  side,
  pair,
  order,
  finalizedTps: tps,
  cpuMsPerTx: cpu,
  p50Ms: p50,
});

describe("bench:compare statistics", () => {
  it("takes the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it("alternates which side goes first", () => {
    expect([1, 2, 3, 4].map(pairOrder)).toEqual([
      ["A", "B"],
      ["B", "A"],
      ["A", "B"],
      ["B", "A"],
    ]);
  });

  it("gives the median over pairs of B/A, from the runs of issue 14 plus a third pair", () => {
    // 542b716 (A) vs 8e42280 (B) as issue 14 reports them, with an invented third pair that is closer.
    const runs = [
      run("A", 1, 1, 1171, 1.63, 800),
      run("B", 1, 2, 978, 1.89, 900),
      run("B", 2, 1, 961, 1.95, 950),
      run("A", 2, 2, 1167, 1.64, 790),
      run("A", 3, 1, 1100, 1.7, 820),
      run("B", 3, 2, 1089, 1.72, 830),
    ];
    const s = summarize(runs);
    expect(s.pairs.map((p) => p.tps.toFixed(4))).toEqual(["0.8352", "0.8235", "0.9900"]);
    expect(s.pairs.map((p) => p.cpuPerTx.toFixed(4))).toEqual(["1.1595", "1.1890", "1.0118"]);
    expect(s.medianTpsRatio).toBeCloseTo(978 / 1171, 10);
    expect(s.medianCpuRatio).toBeCloseTo(1.89 / 1.63, 10);
    expect(s.a).toEqual({ runs: 3, medianTps: 1167, medianCpuMsPerTx: 1.64, medianP50Ms: 800 });
    expect(s.b).toEqual({ runs: 3, medianTps: 978, medianCpuMsPerTx: 1.89, medianP50Ms: 900 });
    expect(percentChange(s.medianTpsRatio)).toBe("−16.5%");
    expect(percentChange(s.medianCpuRatio)).toBe("+16.0%");
  });

  it("pairs runs by pair number, not by position, and leaves an incomplete pair out", () => {
    const s = summarize([run("B", 2, 1, 200, 2, 1), run("A", 1, 1, 100, 1, 1), run("A", 2, 2, 100, 1, 1)]);
    expect(s.pairs).toEqual([{ pair: 2, tps: 2, cpuPerTx: 2 }]);
  });

  it("refuses runs it cannot divide by, and an empty comparison", () => {
    expect(() => summarize([run("A", 1, 1, 0, 1, 1), run("B", 1, 2, 100, 1, 1)])).toThrow(RangeError);
    expect(() => summarize([run("A", 1, 1, 100, Number.NaN, 1), run("B", 1, 2, 100, 1, 1)])).toThrow(
      RangeError,
    );
    expect(() => summarize([run("A", 1, 1, 100, 1, 1)])).toThrow("no complete A/B pair");
  });
});
