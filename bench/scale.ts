/**
 * `npm run bench:scale -- [--sizes 4,7,10,16] [--runs 3] [--duration 20s] [--idle-txs 20] [--json]`: the
 * scale curve of issue 22 goal 6. For every validator count, runs the real CLI's max-load bench
 * (`fastpos bench -n N --max --duration D --json`, the built bin/run.js, temporary FASTPOS_HOME) and then,
 * unless `--idle-txs 0`, idle transfers → final through the SDK on a fresh devnet of the same size
 * (bench/latency.ts's runOnce). The runs interleave across sizes (round r: every size once) so the host's
 * drift spreads over all of them, and the host's single-core verify speed is read just before each run:
 * every tx/s is also given as a share of that run's verify-only limit (cores × verify/s ÷ N).
 *
 * Writes bench/scale.json (every run, the medians per size, machine, date), bench/scale.svg (the chart) and
 * the "Scale curve" section of bench/results.md (bench/suite.ts keeps that section when it rewrites the file).
 *
 * Bounded: at most 10 runs per size of at most 120 s loads, each attempt killed after its load + 4 min; a
 * failed max load is tried up to twice more (see ATTEMPTS), then left out; every failure is reported. Any devnet a killed run left goes, also on Ctrl-C.
 * A bad option: one line, exit 1.
 */
import type { SpawnOptions } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { runChild, runMain, stopDevnetsIn } from "./child.js";
import { verifiesPerSecond } from "./host-speed.js";
import { runOnce as idleOnce } from "./latency.js";
import { parseScaleArgs, ScaleArgError, type ScaleOptions, USAGE } from "./scale-args.js";
import {
  type FailedAttempt,
  type RawScaleRun,
  replaceSection,
  runOrder,
  type ScaleDoc,
  type ScaleRun,
  scaleSection,
  scaleTable,
  summarizeSizes,
  withRatios,
} from "./scale-report.js";
import { scaleChart } from "./scale-svg.js";

const REPO = resolve(import.meta.dirname, "..");
const BIN = join(REPO, "bin", "run.js");
const OUT = import.meta.dirname;
/**
 * Max-load attempts per run. NOTE: on this 2-core host at 10 and (always, so far) 16 validators
 * `fastpos bench` fails with NODE_UNREACHABLE while every node is alive: a batch POST of its funding phase,
 * sent on a pooled keep-alive socket, is reset within ≈20 ms and not resent (issue 22 goal 7). The run is
 * tried up to twice more, and every failed attempt is kept in scale.json.
 */
const ATTEMPTS = 3;

/** A failure the user can act on: printed as one line, exit 1. */
class ScaleError extends Error {}

const log = (msg: string) => process.stderr.write(`[bench:scale] ${msg}\n`);
const lastLines = (s: string, n = 2) => s.trim().split("\n").slice(-n).join(" | ");

/** Runs node with `args` to its end (bench/child.ts), failures as ScaleError. */
const run = (args: string[], opts: SpawnOptions & { timeoutMs: number; signal: AbortSignal }) =>
  runChild(process.execPath, args, opts, (m) => new ScaleError(m));

/** Stops any devnet a killed bench left under `home` or its subdirectories, then removes `home`. */
function cleanHome(home: string): void {
  if (!existsSync(home)) return;
  stopDevnetsIn([home, ...readdirSync(home).map((d) => join(home, d))], BIN);
  rmSync(home, { recursive: true, force: true });
}

type BenchFigures = Pick<RawScaleRun, "finalizedTps" | "cpuMsPerTx" | "p50Ms" | "p99Ms" | "peakRssMBSum">;

/** The figures of a `fastpos bench --json` report, or a ScaleError naming what is missing. */
function parseBench(stdout: string, label: string): BenchFigures {
  let r: any;
  try {
    r = JSON.parse(stdout);
  } catch {
    throw new ScaleError(`${label}: bench printed no JSON: ${lastLines(stdout)}`);
  }
  if (typeof r?.error?.code === "string")
    throw new ScaleError(`${label}: ${r.error.code}: ${r.error.message}`);
  const nodes: unknown[] = Array.isArray(r?.nodes) ? r.nodes : [];
  const rss = nodes.map((n: any) => n?.peakRssMB ?? n?.rssMB);
  const out = {
    finalizedTps: r?.finalizedTps,
    cpuMsPerTx: r?.cpuMsPerTx,
    p50Ms: r?.latencyMs?.p50,
    p99Ms: r?.latencyMs?.p99,
    peakRssMBSum:
      rss.length && rss.every((x) => typeof x === "number") ? rss.reduce((a, b) => a + b, 0) : undefined,
  };
  for (const [k, v] of Object.entries(out))
    if (typeof v !== "number") throw new ScaleError(`${label}: bench JSON has no numeric ${k}`);
  return out as BenchFigures;
}

async function maxLoad(n: number, o: ScaleOptions, home: string, label: string, signal: AbortSignal) {
  mkdirSync(home, { recursive: true });
  try {
    const argv = [BIN, "bench", "-n", `${n}`, "--max", "--duration", `${o.durationS}s`, "--json"];
    const r = await run(argv, {
      cwd: REPO,
      // The bench's temporary devnet lives under TMPDIR: here, so it can be found if the run is killed.
      env: { ...process.env, TMPDIR: home, FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true" },
      timeoutMs: (o.durationS + 240) * 1000,
      signal,
    });
    if (signal.aborted) throw new ScaleError("interrupted");
    if (r.timedOut) throw new ScaleError(`${label}: bench did not finish within ${o.durationS + 240} s`);
    if (r.code !== 0 && !r.stdout.trim())
      throw new ScaleError(`${label}: bench failed (exit ${r.code}): ${lastLines(r.stderr)}`);
    return parseBench(r.stdout, label);
  } finally {
    cleanHome(home);
  }
}

async function main(argv: string[], signal: AbortSignal): Promise<void> {
  const o = parseScaleArgs(argv);
  if (o.help) return void process.stdout.write(`${USAGE}\n`);
  if (o.renderOnly) return render(o);
  if (!existsSync(join(REPO, "dist", "commands")))
    throw new ScaleError("the tree is not built (hint: run it as npm run bench:scale, which builds it)");
  const cores = cpus().length;
  const tmp = mkdtempSync(join(tmpdir(), "fastpos-scale-"));
  const runs: ScaleRun[] = [];
  const failed: FailedAttempt[] = [];
  const order = runOrder(o.sizes, o.runs);
  try {
    for (const [i, { run: round, validators }] of order.entries()) {
      const label = `run ${round}/${o.runs}, ${validators} validators (${i + 1}/${order.length})`;
      let b: Awaited<ReturnType<typeof maxLoad>> | undefined;
      let hostVerifyPerS = 0;
      for (let attempt = 1; !b && attempt <= ATTEMPTS; attempt++) {
        if (signal.aborted) throw new ScaleError("interrupted");
        // The host's speed right before each run (≈1.5 s): other work here moves it by 20% and more.
        hostVerifyPerS = verifiesPerSecond();
        log(`${label}: ${o.durationS} s max load, attempt ${attempt} (host verify ${hostVerifyPerS}/s)`);
        try {
          b = await maxLoad(validators, o, join(tmp, `run-${round}-${validators}-${attempt}`), label, signal);
        } catch (err) {
          if (signal.aborted) throw err;
          const error = err instanceof Error ? err.message : String(err);
          log(`${label}: attempt ${attempt} FAILED: ${error}`);
          failed.push({ run: round, validators, attempt, phase: "max load", error });
        }
      }
      if (!b) continue;
      let idle: RawScaleRun["idle"] = null;
      if (o.idleTxs > 0) {
        log(`${label}: ${o.idleTxs} idle transfers → final`);
        try {
          const a = { runs: 1, txs: o.idleTxs, validators, gapMs: 300, roots: [REPO], json: false };
          const l = await idleOnce(REPO, round, a);
          idle = { p50Ms: l.finalMs.p50, p99Ms: l.finalMs.p99 };
        } catch (err) {
          if (signal.aborted) throw err;
          const error = err instanceof Error ? err.message : String(err);
          log(`${label}: idle latency FAILED, left out: ${error}`);
          failed.push({ run: round, validators, attempt: 1, phase: "idle", error });
        }
      }
      const r = withRatios({ validators, run: round, cores, hostVerifyPerS, ...b, idle });
      runs.push(r);
      log(
        `${label}: ${r.finalizedTps} tx/s = ${r.shareOfLimit} of ${r.limitTps}, ${r.cpuMsPerTx} ms CPU/tx (${r.cpuRatio}× N verifies), p50/p99 ${r.p50Ms}/${r.p99Ms} ms, RSS ${r.peakRssMBSum} MB` +
          (idle ? `, idle p50/p99 ${idle.p50Ms}/${idle.p99Ms} ms` : ""),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (runs.length === 0) throw new ScaleError(`every run failed; first: ${failed[0]?.error}`);
  const doc: ScaleDoc = {
    date: new Date().toISOString(),
    machine: {
      cpus: cores,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    durationS: o.durationS,
    idleTxs: o.idleTxs,
    runs,
    sizes: summarizeSizes(runs),
    failed,
  };
  writeFileSync(join(OUT, "scale.json"), `${JSON.stringify(doc, null, 2)}\n`);
  writeOutputs(doc, o);
  if (failed.length) log(`${failed.length} attempt(s) failed (see "failed" in scale.json)`);
}

/** Writes the chart and the results.md section of `doc`, and prints its table (or `doc` with --json). */
function writeOutputs(doc: ScaleDoc, o: ScaleOptions): void {
  writeFileSync(join(OUT, "scale.svg"), scaleChart(doc));
  const mdPath = join(OUT, "results.md");
  const md = existsSync(mdPath) ? readFileSync(mdPath, "utf8") : "";
  writeFileSync(mdPath, replaceSection(md, scaleSection(doc)));
  log(`wrote bench/scale.svg and the "Scale curve" section of bench/results.md`);
  process.stdout.write(
    o.json ? `${JSON.stringify(doc, null, 2)}\n` : `${scaleTable(doc.sizes, doc.failed)}\n`,
  );
}

/** --render: the outputs of the runs bench/scale.json already holds (after a change to the chart). */
function render(o: ScaleOptions): void {
  let doc: ScaleDoc;
  try {
    doc = JSON.parse(readFileSync(join(OUT, "scale.json"), "utf8"));
  } catch (err) {
    throw new ScaleError(
      `cannot read bench/scale.json (${(err as Error).message}; hint: run npm run bench:scale first)`,
    );
  }
  if (!Array.isArray(doc?.runs) || doc.runs.length === 0)
    throw new ScaleError("bench/scale.json holds no runs (hint: run npm run bench:scale first)");
  doc.failed ??= [];
  doc.sizes = summarizeSizes(doc.runs);
  writeOutputs(doc, o);
}

runMain("bench:scale", main, (err) => err instanceof ScaleError || err instanceof ScaleArgError, log);
