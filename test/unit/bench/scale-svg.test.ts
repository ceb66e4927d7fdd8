import { describe, expect, it } from "vitest";
import { type RawScaleRun, type ScaleDoc, summarizeSizes, withRatios } from "../../../bench/scale-report.js";
import { CHART, niceAxis, scaleChart, xDomain } from "../../../bench/scale-svg.js";
import { allElements, parseXml, type XmlElement } from "./scale-xml.js";

const run = (validators: number, r: number, finalizedTps: number, hostVerifyPerS = 8000): RawScaleRun => ({
  validators,
  run: r,
  cores: 2,
  hostVerifyPerS,
  finalizedTps,
  cpuMsPerTx: 1,
  p50Ms: 300,
  p99Ms: 900,
  peakRssMBSum: 400,
  idle: null,
});

// Limits at 8000 verify/s: 4000 (4), 2286 (7), 1600 (10), 1000 (16).
const runs = [
  run(4, 1, 2000),
  run(4, 2, 2400),
  run(4, 3, 1600, 6000),
  run(7, 1, 1143),
  run(10, 1, 800),
  run(16, 1, 500),
  run(16, 2, 300),
].map(withRatios);
const doc: ScaleDoc = {
  date: "2026-12-01T23:59:00.000Z",
  machine: { cpus: 2, cpuModel: "AMD EPYC", memGiB: 24, node: "v20.20.2" },
  durationS: 20,
  idleTxs: 0,
  runs,
  sizes: summarizeSizes(runs),
  failed: [],
};

const svg = parseXml(scaleChart(doc));
const els = allElements(svg);
const panel = (i: number) =>
  els.find((e) => e.name === "g" && e.attrs["data-panel"] === `${i}`) as XmlElement;
const num = (e: XmlElement, k: string) => Number(e.attrs[k]);
const texts = (e: XmlElement, cls: string) =>
  allElements(e)
    .filter((t) => t.name === "text" && t.attrs.class === cls)
    .map((t) => t.text);

// Where a value should land: x over the padded domain, y from the panel's bottom (0) to its top (axis max).
const [x0, x1] = xDomain([4, 7, 10, 16]);
const x = (n: number) => CHART.left + ((n - x0) / (x1 - x0)) * (CHART.width - CHART.left - CHART.right);
const y = (i: number, v: number, max: number) => {
  const p = CHART.panels[i] as { top: number; height: number };
  return p.top + p.height - (v / max) * p.height;
};

describe("bench:scale chart", () => {
  it("is one well-formed svg element with a title naming the date and the host's verify range", () => {
    expect(svg.name).toBe("svg");
    expect(svg.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(texts(svg, "title")).toEqual(["fastpos scale curve, 2026-12-01"]);
    // The accessible name (a <title> first child, what screen readers and biome's a11y rule look for).
    expect(svg.children[0]?.name).toBe("title");
    expect(svg.children[0]?.text).toContain("share of the verify-only limit by validator count");
    expect(texts(svg, "subtitle")[0]).toContain("host verify 6,000–8,000/s per core");
  });

  it("the reader refuses what is not well-formed", () => {
    expect(() => parseXml("<svg><g></svg>")).toThrow();
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow();
    expect(() => parseXml("<svg>a & b</svg>")).toThrow();
    expect(() => parseXml("<svg a=1/>")).toThrow();
    expect(() => parseXml("<svg/><svg/>")).toThrow();
  });

  it("labels both panels' axes and every size on x", () => {
    expect(texts(panel(0), "ylabel")).toEqual(["finalized tx/s (max load)"]);
    expect(texts(panel(1), "ylabel")).toEqual(["share of verify-only limit"]);
    for (const i of [0, 1]) {
      expect(texts(panel(i), "xlabel")).toEqual(["validators"]);
      expect(texts(panel(i), "xtick")).toEqual(["4", "7", "10", "16"]);
    }
    expect(texts(panel(0), "ytick")).toEqual(["0", "500", "1000", "1500", "2000", "2500"]);
    expect(texts(panel(1), "ytick")).toEqual(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
  });

  it("puts a marker per run at its tx/s and at its share of the limit", () => {
    for (const [i, value, max] of [
      [0, (r: (typeof runs)[number]) => r.finalizedTps, 2500],
      [1, (r: (typeof runs)[number]) => r.shareOfLimit, 1],
    ] as const) {
      const dots = allElements(panel(i)).filter((e) => e.attrs.class === "run");
      expect(dots).toHaveLength(runs.length);
      for (const r of runs) {
        const dot = dots.find(
          (d) => d.attrs["data-validators"] === `${r.validators}` && d.attrs["data-run"] === `${r.run}`,
        ) as XmlElement;
        expect(num(dot, "cx")).toBeCloseTo(x(r.validators), 0);
        expect(num(dot, "cy")).toBeCloseTo(y(i, value(r), max), 0);
      }
    }
    // 2400 tx/s at 4 validators sits above 2000; the share of 500 of 1000 at 16 is half way up the panel.
    const p1 = CHART.panels[1];
    const half = allElements(panel(1)).find(
      (e) => e.attrs["data-validators"] === "16" && e.attrs["data-run"] === "1",
    ) as XmlElement;
    expect(num(half, "cy")).toBeCloseTo(p1.top + p1.height / 2, 0);
  });

  it("draws the median line through the medians, left to right", () => {
    // Medians: tx/s 2000, 1143, 800, 400; shares at 4: 0.5, 0.6, 1600/3000 → 0.533; then 0.5, 0.5, 0.4.
    const lines = [0, 1].map((i) =>
      ((allElements(panel(i)).find((e) => e.name === "polyline")?.attrs.points ?? "") as string)
        .split(" ")
        .map((p) => p.split(",").map(Number)),
    );
    const want = [
      [2000, 1143, 800, 400].map((v, k) => [x([4, 7, 10, 16][k] as number), y(0, v, 2500)]),
      [0.533, 0.5, 0.5, 0.4].map((v, k) => [x([4, 7, 10, 16][k] as number), y(1, v, 1)]),
    ];
    for (const i of [0, 1]) {
      expect(lines[i]).toHaveLength(4);
      lines[i]?.forEach(([px, py], k) => {
        expect(px).toBeCloseTo(want[i]?.[k]?.[0] as number, 0);
        expect(py).toBeCloseTo(want[i]?.[k]?.[1] as number, 0);
      });
    }
    expect(texts(panel(0), "median-label")).toEqual(["2000", "1143", "800", "400"]);
    expect(texts(panel(1), "median-label")).toEqual(["0.53", "0.50", "0.50", "0.40"]);
  });

  it("keeps a size whose every attempt failed on the x axis, marked no data", () => {
    const measured = runs.filter((r) => r.validators !== 16);
    const gap: ScaleDoc = {
      ...doc,
      runs: measured,
      sizes: summarizeSizes(measured),
      failed: [{ run: 1, validators: 16, attempt: 1, phase: "max load", error: "NODE_UNREACHABLE" }],
    };
    const g = allElements(parseXml(scaleChart(gap)));
    const p0 = g.find((e) => e.attrs["data-panel"] === "0") as XmlElement;
    expect(texts(p0, "xtick")).toEqual(["4", "7", "10", "16"]);
    const mark = allElements(p0).find((e) => e.attrs.class === "no-data") as XmlElement;
    expect(mark.attrs["data-validators"]).toBe("16");
    expect(num(mark, "x")).toBeCloseTo(x(16), 0);
    expect(mark.text).toBe("no data (runs failed)");
    // The median line joins only the measured sizes; no run marker sits at 16.
    const points = (allElements(p0).find((e) => e.name === "polyline")?.attrs.points ?? "").split(" ");
    expect(points).toHaveLength(3);
    expect(
      allElements(p0).filter((e) => e.attrs.class === "run" && e.attrs["data-validators"] === "16"),
    ).toEqual([]);
    expect(texts(panel(0), "no-data")).toEqual([]);
  });

  it("rounds axes up to 1, 2, 2.5 or 5 per tick", () => {
    expect(niceAxis(2400)).toEqual({ max: 2500, step: 500 });
    expect(niceAxis(3100)).toEqual({ max: 4000, step: 1000 });
    expect(niceAxis(900)).toEqual({ max: 1000, step: 200 });
    expect(niceAxis(0)).toEqual({ max: 1, step: 0.2 });
  });

  it("escapes text, so a CPU model with < or & keeps it well-formed", () => {
    const odd = { ...doc, date: "2026-12-01<&>" };
    expect(() => parseXml(scaleChart(odd))).not.toThrow();
    expect(allElements(parseXml(scaleChart(odd))).find((e) => e.attrs.class === "title")?.text).toBe(
      "fastpos scale curve, 2026-12-01",
    );
  });
});
