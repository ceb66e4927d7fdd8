/**
 * The scale curve as an SVG (bench/scale.svg), written by hand so the chart needs no dependency: two
 * panels over the same x axis (validators), finalized tx/s on top and the share of the verify-only limit
 * (0–1) below, each with a marker per run and a line through the medians. Pure: same doc, same bytes.
 */
import { hostRange, type ScaleDoc, sizesWithoutRuns } from "./scale-report.js";

/** The chart's layout in SVG user units (exported so tests can place the points they expect). */
export const CHART = {
  width: 720,
  height: 600,
  left: 90,
  right: 50,
  /** Top and height of each panel's plot area. */
  panels: [
    { top: 80, height: 200 },
    { top: 350, height: 200 },
  ],
} as const;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (x: number) => `${Math.round(x * 10) / 10}`;

/** A round upper bound for an axis (1, 2, 2.5 or 5 × 10^k per tick, 4–6 ticks) and its tick step. */
export function niceAxis(max: number): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * p >= raw) as number) * p;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

/** The x domain: the sizes with a margin, so the first and last markers stay inside the panel. */
export function xDomain(sizes: readonly number[]): [number, number] {
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  const pad = hi === lo ? 1 : (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** The SVG text of the chart of `doc` (its runs as markers, its per-size medians as lines). */
export function scaleChart(doc: ScaleDoc): string {
  const sizes = doc.sizes.map((s) => s.validators);
  // Sizes whose every attempt failed keep their place on the x axis, marked "no data".
  const missing = sizesWithoutRuns(doc.sizes, doc.failed);
  const ticks = [...sizes, ...missing].sort((a, b) => a - b);
  const [x0, x1] = xDomain(ticks);
  const plotW = CHART.width - CHART.left - CHART.right;
  const x = (n: number) => CHART.left + ((n - x0) / (x1 - x0)) * plotW;
  const tpsAxis = niceAxis(
    Math.max(...doc.runs.map((r) => r.finalizedTps), ...doc.sizes.map((s) => s.medianTps)),
  );
  const shareMax = Math.max(1, Math.ceil(Math.max(...doc.runs.map((r) => r.shareOfLimit))));
  const axes = [
    { ...tpsAxis, title: "finalized tx/s (max load)", run: (r: ScaleDoc["runs"][number]) => r.finalizedTps },
    {
      max: shareMax,
      step: shareMax / 5,
      title: "share of verify-only limit",
      run: (r: ScaleDoc["runs"][number]) => r.shareOfLimit,
    },
  ];
  const medians = [doc.sizes.map((s) => s.medianTps), doc.sizes.map((s) => s.medianShare)];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(`fastpos scale curve, ${doc.date.slice(0, 10)}: finalized tx/s and share of the verify-only limit by validator count`)}</title>`,
    `<rect width="${CHART.width}" height="${CHART.height}" fill="#ffffff"/>`,
    `<text class="title" x="${CHART.width / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${esc(`fastpos scale curve, ${doc.date.slice(0, 10)}`)}</text>`,
    `<text class="subtitle" x="${CHART.width / 2}" y="46" text-anchor="middle">${esc(`${doc.machine.cpus} cores, host verify ${hostRange(doc.runs)}/s per core; ${doc.durationS} s --max per run; dots = runs, line = median`)}</text>`,
  ];
  axes.forEach((axis, i) => {
    const p = CHART.panels[i] as { top: number; height: number };
    const y = (v: number) => p.top + p.height - (v / axis.max) * p.height;
    out.push(`<g class="panel" data-panel="${i}">`);
    for (let t = 0; t <= axis.max + 1e-9; t += axis.step) {
      const label = i === 0 ? `${Math.round(t)}` : t.toFixed(1);
      out.push(
        `<line x1="${CHART.left}" x2="${CHART.left + plotW}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#dddddd"/>`,
        `<text class="ytick" x="${CHART.left - 8}" y="${fmt(y(t) + 4)}" text-anchor="end">${label}</text>`,
      );
    }
    for (const n of ticks)
      out.push(
        `<text class="xtick" x="${fmt(x(n))}" y="${p.top + p.height + 18}" text-anchor="middle">${n}</text>`,
      );
    for (const n of missing)
      out.push(
        `<text class="no-data" data-validators="${n}" x="${fmt(x(n))}" y="${p.top + p.height - 8}" text-anchor="end" fill="#b00020">no data (runs failed)</text>`,
      );
    out.push(
      `<line x1="${CHART.left}" x2="${CHART.left}" y1="${p.top}" y2="${p.top + p.height}" stroke="#333333"/>`,
      `<line x1="${CHART.left}" x2="${CHART.left + plotW}" y1="${p.top + p.height}" y2="${p.top + p.height}" stroke="#333333"/>`,
      `<text class="ylabel" transform="translate(${CHART.left - 58} ${p.top + p.height / 2}) rotate(-90)" text-anchor="middle">${esc(axis.title)}</text>`,
      `<text class="xlabel" x="${CHART.left + plotW / 2}" y="${p.top + p.height + 38}" text-anchor="middle">validators</text>`,
      `<polyline class="median" fill="none" stroke="#1f5fbf" stroke-width="2" points="${sizes.map((n, k) => `${fmt(x(n))},${fmt(y(medians[i]?.[k] as number))}`).join(" ")}"/>`,
    );
    for (const r of doc.runs)
      out.push(
        `<circle class="run" data-validators="${r.validators}" data-run="${r.run}" cx="${fmt(x(r.validators))}" cy="${fmt(y(axis.run(r)))}" r="3.5" fill="#e07b00" fill-opacity="0.75"/>`,
      );
    sizes.forEach((n, k) => {
      const v = medians[i]?.[k] as number;
      const label = i === 0 ? `${Math.round(v)}` : v.toFixed(2);
      out.push(
        `<circle class="median-point" data-validators="${n}" cx="${fmt(x(n))}" cy="${fmt(y(v))}" r="4" fill="#1f5fbf"/>`,
        `<text class="median-label" x="${fmt(x(n) + 7)}" y="${fmt(y(v) - 7)}" fill="#1f5fbf">${label}</text>`,
      );
    });
    out.push("</g>");
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
