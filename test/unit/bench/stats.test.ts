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

  it("gives the median over pairs of B/A, on a real comparison (542b716 vs 8e42280, 5 pairs)", () => {
    const runs = [
      run("A", 1, 1, 559, 1.65, 2618),
      run("B", 1, 2, 618, 1.62, 2049),
      run("B", 2, 1, 976, 1.48, 1459),
      run("A", 2, 2, 809, 1.28, 1623),
      run("A", 3, 1, 369, 2.19, 2800),
      run("B", 3, 2, 455, 2.06, 2316),
      run("B", 4, 1, 503, 1.76, 2290),
      run("A", 4, 2, 544, 1.74, 2429),
      run("A", 5, 1, 347, 2.16, 3324),
      run("B", 5, 2, 375, 1.97, 2772),
    ];
    const s = summarize(runs);
    expect(s.pairs.map((p) => p.tps.toFixed(3))).toEqual(["1.106", "1.206", "1.233", "0.925", "1.081"]);
    expect(s.pairs.map((p) => p.cpuPerTx.toFixed(3))).toEqual(["0.982", "1.156", "0.941", "1.011", "0.912"]);
    expect(s.medianTpsRatio).toBeCloseTo(618 / 559, 12);
    expect(s.medianCpuRatio).toBeCloseTo(1.62 / 1.65, 12);
    expect(s.a).toEqual({ runs: 5, medianTps: 544, medianCpuMsPerTx: 1.74, medianP50Ms: 2618 });
    expect(s.b).toEqual({ runs: 5, medianTps: 503, medianCpuMsPerTx: 1.76, medianP50Ms: 2290 });
    expect(percentChange(s.medianTpsRatio)).toBe("+10.6%");
    expect(percentChange(s.medianCpuRatio)).toBe("−1.8%");
  });

  it("takes the mean of the two middle pairs for an even count (issue 14's two pairs)", () => {
    const s = summarize([
      run("A", 1, 1, 1171, 1.63, 800),
      run("B", 1, 2, 978, 1.89, 900),
      run("B", 2, 1, 961, 1.95, 950),
      run("A", 2, 2, 1167, 1.64, 790),
    ]);
    expect(s.medianTpsRatio).toBeCloseTo((978 / 1171 + 961 / 1167) / 2, 12);
    expect(percentChange(s.medianTpsRatio)).toBe("−17.1%");
    expect(percentChange(s.medianCpuRatio)).toBe("+17.4%");
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
