/**
 * `npm run bench:compare -- [REF] [--pairs N] [--duration 20s] [-n 4] [--json]`: the perf regression guard
 * for a change on the hot path (issue 14). Builds REF (default main) in a temporary git worktree, then runs
 * interleaved A/B pairs of the max-load bench (`fastpos bench -n 4 --duration 20s --max --json`), A = REF
 * and B = this working tree (built by the npm script), each through its own built CLI, alternating which
 * side goes first. Prints every run and the median over the pairs of B/A for finalized tx/s and node CPU
 * per tx, with the host's single-core verify speed before every run and after the last (this shared
 * machine drifts by 10–20% between hours; a pair runs back to back, so its ratio shares the hour).
 *
 * Bounded: at most 10 pairs of at most 120 s loads, each run killed after its load + 4 min, a build after
 * 5 min, `npm ci` after 10 min. The temporary worktree and any devnet a killed run left go, also on failure
 * or Ctrl-C. A bad REF or option: one line, exit 1.
 */
import type { SpawnOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runChild, runMain, stopDevnetsIn } from "./child.js";
import { CompareArgError, type CompareOptions, parseCompareArgs, USAGE } from "./compare-args.js";
import { verifiesPerSecond } from "./host-speed.js";
import {
  type CompareRun,
  type CompareSummary,
  pairOrder,
  percentChange,
  type RunResult,
  summarize,
} from "./stats.js";
import {
  addWorktree,
  describeWorkingTree,
  linkTree,
  removeWorktree,
  resolveCommit,
  sameLockfile,
} from "./worktree.js";

const REPO = resolve(import.meta.dirname, "..");

/** A run with the host's single-core verify speed measured just before it. */
type MeasuredRun = CompareRun & { hostVerifyPerS: number };

/** A failure the user can act on: printed as one line, exit 1. */
class CompareError extends Error {}

const log = (msg: string) => process.stderr.write(`[bench:compare] ${msg}\n`);

const run = (cmd: string, args: string[], opts: SpawnOptions & { timeoutMs: number; signal: AbortSignal }) =>
  runChild(cmd, args, opts, (m) => new CompareError(m));

function lastLines(s: string, n = 5): string {
  return s.trim().split("\n").slice(-n).join(" | ");
}

/** Installs REF's dependencies (hard links of ours when the lockfiles match) and builds it. */
async function prepareRef(dir: string, commit: string, signal: AbortSignal): Promise<void> {
  if (sameLockfile(REPO, commit) && existsSync(join(REPO, "node_modules"))) {
    log("same package-lock.json: node_modules hard-linked from the working tree");
    linkTree(join(REPO, "node_modules"), join(dir, "node_modules"));
  } else {
    log("package-lock.json differs: npm ci (up to 10 min)");
    const ci = await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, timeoutMs: 600_000, signal });
    if (signal.aborted) throw new CompareError("interrupted");
    if (ci.code !== 0)
      throw new CompareError(`npm ci of the ref failed: ${lastLines(ci.stderr || ci.stdout)}`);
  }
  const build = await run("npm", ["run", "build"], { cwd: dir, timeoutMs: 300_000, signal });
  if (signal.aborted) throw new CompareError("interrupted");
  if (build.code !== 0)
    throw new CompareError(`npm run build of the ref failed: ${lastLines(build.stdout + build.stderr)}`);
}

/** Stops any devnet a killed bench left in its temporary dir (with the CLI of the tree that ran it), then removes the dir. */
function cleanRunDir(runTmp: string, bin: string): void {
  if (!existsSync(runTmp)) return;
  stopDevnetsIn(
    readdirSync(runTmp).map((d) => join(runTmp, d)),
    bin,
  );
  rmSync(runTmp, { recursive: true, force: true });
}

/** What a failed `fastpos bench --json` said: its `{"error": {code, message}}`, else its last lines. */
function benchError(r: { stdout: string; stderr: string }): string {
  try {
    const e = JSON.parse(r.stdout)?.error;
    if (typeof e?.code === "string") return `${e.code}: ${e.message}`;
  } catch {}
  return lastLines(r.stderr || r.stdout, 2);
}

/** The numbers a `fastpos bench --json` run printed, or a CompareError saying what is missing. */
function parseBenchJson(stdout: string, label: string): RunResult {
  let r: any;
  try {
    r = JSON.parse(stdout);
  } catch {
    throw new CompareError(`${label}: bench printed no JSON: ${lastLines(stdout, 2)}`);
  }
  const out = { finalizedTps: r?.finalizedTps, cpuMsPerTx: r?.cpuMsPerTx, p50Ms: r?.latencyMs?.p50 };
  for (const [k, v] of Object.entries(out))
    if (typeof v !== "number") throw new CompareError(`${label}: bench JSON has no numeric ${k}`);
  return out as RunResult;
}

async function benchOnce(
  tree: string,
  opts: CompareOptions,
  runTmp: string,
  label: string,
  signal: AbortSignal,
): Promise<RunResult> {
  const bin = join(tree, "bin", "run.js");
  mkdirSync(runTmp, { recursive: true });
  try {
    const argv = ["bench", "-n", `${opts.validators}`, "--duration", `${opts.durationS}s`, "--max", "--json"];
    const r = await run(process.execPath, [bin, ...argv], {
      cwd: tree,
      // The bench's temporary devnet lives under TMPDIR: here, so it can be found if the run is killed.
      env: { ...process.env, TMPDIR: runTmp, FASTPOS_HOME: runTmp, OCLIF_SKIP_NEW_VERSION_CHECK: "true" },
      timeoutMs: (opts.durationS + 240) * 1000,
      signal,
    });
    if (signal.aborted) throw new CompareError("interrupted");
    if (r.timedOut) throw new CompareError(`${label}: bench did not finish within ${opts.durationS + 240} s`);
    if (r.code !== 0) throw new CompareError(`${label}: bench failed (exit ${r.code}): ${benchError(r)}`);
    return parseBenchJson(r.stdout, label);
  } finally {
    cleanRunDir(runTmp, bin);
  }
}

function render(
  o: CompareOptions,
  a: string,
  b: string,
  runs: MeasuredRun[],
  s: CompareSummary,
  host: [number, number],
): string {
  const row = (cells: (string | number)[]) =>
    cells.map((c, i) => `${c}`.padEnd([5, 5, 6, 8, 11, 8, 0][i] ?? 0)).join(" ");
  const lines = [
    `A = ${a}   B = ${b}   (${o.validators} validators, ${o.durationS} s --max per run, ${s.pairs.length} pairs)`,
    `host: single-core verify ${host[0]}/s before, ${host[1]}/s after`,
    "",
    row(["pair", "side", "order", "tx/s", "CPU ms/tx", "p50 ms", "host verify/s just before"]),
    ...runs.map((r) =>
      row([
        r.pair,
        r.side,
        r.order === 1 ? "1st" : "2nd",
        Math.round(r.finalizedTps),
        r.cpuMsPerTx,
        r.p50Ms,
        r.hostVerifyPerS,
      ]),
    ),
    "",
    `median A: ${Math.round(s.a.medianTps)} tx/s, ${s.a.medianCpuMsPerTx} ms CPU/tx, p50 ${s.a.medianP50Ms} ms`,
    `median B: ${Math.round(s.b.medianTps)} tx/s, ${s.b.medianCpuMsPerTx} ms CPU/tx, p50 ${s.b.medianP50Ms} ms`,
    `B/A per pair, tx/s:      ${s.pairs.map((p) => p.tps.toFixed(3)).join("  ")}`,
    `B/A per pair, CPU/tx:    ${s.pairs.map((p) => p.cpuPerTx.toFixed(3)).join("  ")}`,
    `median B/A finalized tx/s  ${s.medianTpsRatio.toFixed(3)} (${percentChange(s.medianTpsRatio)})`,
    `median B/A CPU per tx      ${s.medianCpuRatio.toFixed(3)} (${percentChange(s.medianCpuRatio)})`,
  ];
  if (s.pairs.length < 3) lines.push("fewer than 3 pairs: too few to tell a change from this host's noise");
  return `${lines.join("\n")}\n`;
}

async function main(argv: string[], signal: AbortSignal): Promise<void> {
  const o = parseCompareArgs(argv);
  if (o.help) return void process.stdout.write(`${USAGE}\n`);
  const commit = resolveCommit(REPO, o.ref);
  if (!commit)
    throw new CompareError(
      `unknown git ref "${o.ref}" (hint: a branch, tag or commit of ${REPO}; see git log --oneline)`,
    );
  if (!existsSync(join(REPO, "dist", "commands")))
    throw new CompareError(
      "the working tree is not built (hint: run it as npm run bench:compare, which builds it)",
    );
  const a = `${o.ref} (${commit.slice(0, 7)})`;
  const b = `working tree (${describeWorkingTree(REPO)})`;
  const tmp = mkdtempSync(join(tmpdir(), "fastpos-compare-"));
  const refDir = join(tmp, "ref");
  try {
    log(`A = ${a}: checking out and building in ${refDir}`);
    addWorktree(REPO, commit, refDir);
    await prepareRef(refDir, commit, signal);
    const runs: MeasuredRun[] = [];
    for (let pair = 1; pair <= o.pairs; pair++) {
      const order = pairOrder(pair);
      for (const [i, side] of order.entries()) {
        const label = `pair ${pair}/${o.pairs} ${side}`;
        log(`${label} (${side === "A" ? a : b}): ${o.durationS} s max load`);
        const tree = side === "A" ? refDir : REPO;
        // The host's speed right before each run (≈1.5 s): a run next to a slow reading shared the machine.
        const hostVerifyPerS = verifiesPerSecond();
        const r = await benchOnce(tree, o, join(tmp, `run-${pair}-${side}`), label, signal);
        runs.push({ ...r, side, pair, order: i === 0 ? 1 : 2, hostVerifyPerS });
        log(
          `${label}: ${Math.round(r.finalizedTps)} tx/s, ${r.cpuMsPerTx} ms CPU/tx, p50 ${r.p50Ms} ms (host verify ${hostVerifyPerS}/s before)`,
        );
      }
    }
    const verifyBefore = runs[0]?.hostVerifyPerS ?? 0;
    const verifyAfter = verifiesPerSecond();
    const summary = summarize(runs);
    if (o.json) {
      const { a: sa, b: sb, ...ratios } = summary;
      const out = {
        a: { ref: o.ref, commit, ...sa },
        b: { tree: b, ...sb },
        validators: o.validators,
        durationS: o.durationS,
        hostVerifyPerSecond: { before: verifyBefore, after: verifyAfter },
        runs,
        ...ratios,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else process.stdout.write(render(o, a, b, runs, summary, [verifyBefore, verifyAfter]));
  } finally {
    log("removing the temporary worktree");
    removeWorktree(REPO, refDir);
    rmSync(tmp, { recursive: true, force: true });
  }
}

runMain("bench:compare", main, (err) => err instanceof CompareError || err instanceof CompareArgError, log);
