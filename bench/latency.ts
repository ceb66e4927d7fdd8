/**
 * `npm run bench:latency -- [--runs 3] [--txs 40] [-n 5] [--gap-ms 300] [--root DIR]... [--json]`: idle
 * transfer → final, the way a user's script sees it (issue 22 item 3): on a fresh `devnet up -n N` (dev
 * preset), `client.transfer` (build, sign, submit), then `client.waitForTx` it, one at a time with `--gap-ms` of quiet
 * between them (the chain idles: no height in progress when the tx arrives). Reports p50/p90/p99/max of
 * send and of send + wait per run, and the median of the runs' p50s.
 *
 * Each `--root` is a built fastpos tree (its `bin/run.js` starts the devnet, its `dist/` SDK sends and
 * waits), so a worktree of main can be measured next to this one; with several roots the runs interleave
 * (round r: every root once, the order rotating) because this shared host's speed drifts. Every devnet
 * runs in a temporary FASTPOS_HOME and is torn down, also on failure.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { median } from "./stats.js";

/** Options of a latency run (exported for bench/scale.ts, which measures idle latency per size). */
export interface Args {
  runs: number;
  txs: number;
  validators: number;
  gapMs: number;
  roots: string[];
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { runs: 3, txs: 40, validators: 5, gapMs: 300, roots: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === "--runs") a.runs = Number(v());
    else if (k === "--txs") a.txs = Number(v());
    else if (k === "-n") a.validators = Number(v());
    else if (k === "--gap-ms") a.gapMs = Number(v());
    else if (k === "--root") a.roots.push(resolve(v()));
    else if (k === "--json") a.json = true;
    else throw new Error(`unknown option ${k}`);
  }
  if (a.roots.length === 0) a.roots.push(resolve(import.meta.dirname, ".."));
  return a;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;

export interface RunResult {
  root: string;
  round: number;
  sendMs: { p50: number; p99: number };
  finalMs: { p50: number; p90: number; p99: number; max: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One fresh `devnet up -n N` from `root`, `a.txs` idle transfers → final, torn down also on failure. */
export async function runOnce(root: string, round: number, a: Args): Promise<RunResult> {
  const home = mkdtempSync(join(tmpdir(), "fastpos-latency-"));
  const env = { ...process.env, FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true" };
  const bin = join(root, "bin/run.js");
  try {
    execFileSync(process.execPath, [bin, "devnet", "up", "-n", String(a.validators), "--json"], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
      timeout: 300_000,
    });
    const { connectDevnet } = await import(pathToFileURL(join(root, "dist/devnet/connect.js")).href);
    const { client, signers } = await connectDevnet(undefined, { home });
    const alice = signers.alice;
    const bob = signers.bob;
    const send = () => client.transfer({ secretKey: alice.secretKey, to: bob.address, amount: 1n });
    for (let i = 0; i < 3; i++) await client.waitForTx((await send()).hash); // warm-up
    const sendMs: number[] = [];
    const finalMs: number[] = [];
    for (let i = 0; i < a.txs; i++) {
      await sleep(a.gapMs);
      const t0 = performance.now();
      const sent = await send();
      const t1 = performance.now();
      await client.waitForTx(sent.hash, { timeoutMs: 30_000 });
      const t2 = performance.now();
      sendMs.push(t1 - t0);
      finalMs.push(t2 - t0);
    }
    const s = [...sendMs].sort((x, y) => x - y);
    const f = [...finalMs].sort((x, y) => x - y);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      root,
      round,
      sendMs: { p50: r1(quantile(s, 0.5)), p99: r1(quantile(s, 0.99)) },
      finalMs: {
        p50: r1(quantile(f, 0.5)),
        p90: r1(quantile(f, 0.9)),
        p99: r1(quantile(f, 0.99)),
        max: r1(f[f.length - 1] as number),
      },
    };
  } finally {
    try {
      execFileSync(process.execPath, [bin, "devnet", "down"], { env, stdio: "ignore", timeout: 120_000 });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const results: RunResult[] = [];
  for (let round = 0; round < a.runs; round++) {
    for (let k = 0; k < a.roots.length; k++) {
      const root = a.roots[(k + round) % a.roots.length] as string;
      const r = await runOnce(root, round, a);
      results.push(r);
      if (!a.json) console.error(JSON.stringify(r));
    }
  }
  const summary = a.roots.map((root) => {
    const mine = results.filter((r) => r.root === root);
    return {
      root,
      runs: mine.length,
      medianP50Ms: median(mine.map((r) => r.finalMs.p50)),
      medianP99Ms: median(mine.map((r) => r.finalMs.p99)),
      medianSendP50Ms: median(mine.map((r) => r.sendMs.p50)),
    };
  });
  const out = {
    benchmark: `idle transfer → final (SDK send + waitForTx), ${a.validators} validators, gap ${a.gapMs} ms`,
    txsPerRun: a.txs,
    summary,
    runs: results,
  };
  console.log(JSON.stringify(out, null, 2));
}

// Imported by bench/scale.ts for runOnce: run only as the script itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
