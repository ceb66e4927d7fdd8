/**
 * `npm run bench:startup -- [RUNS] [-n 1,5] [--root DIR]...`: `fastpos devnet up -n N` wall time (the CLI
 * from start to exit) and its time to the first final block (`firstBlockMs`, from `devnet up`'s start),
 * median of RUNS (default 5) for each N (default 1 and 5; issue 22 item 4: ≤ 1 s for -n 1, first block
 * ≤ 1.5 s for -n 5 on a quiet host). Each `--root` is a built fastpos tree (default this one), so a worktree
 * of main can be measured next to it; runs interleave (round r: every root and N once) because this shared
 * host's speed drifts. A bare `node -e 0` is timed each round too: the floor of any CLI run on the host at
 * that moment. Every devnet runs in a temporary FASTPOS_HOME and is torn down.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./stats.js";

const argv = process.argv.slice(2);
let runs = 5;
let sizes = ["1", "5"];
const roots: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  if (a === "-n") sizes = (argv[++i] as string).split(",");
  else if (a === "--root") roots.push(resolve(argv[++i] as string));
  else if (/^\d+$/.test(a)) runs = Number(a);
  else throw new Error(`unknown option ${a}`);
}
if (roots.length === 0) roots.push(resolve(import.meta.dirname, ".."));

interface Sample {
  root: string;
  validators: string;
  wallMs: number;
  firstBlockMs: number;
}
const samples: Sample[] = [];
const floor: number[] = [];
const cases = roots.flatMap((root) => sizes.map((validators) => ({ root, validators })));
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  execFileSync(process.execPath, ["-e", "0"]);
  floor.push(performance.now() - t);
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(k + r) % cases.length] as (typeof cases)[number];
    const bin = join(c.root, "bin/run.js");
    const home = mkdtempSync(join(tmpdir(), "fastpos-bench-"));
    const env = { ...process.env, FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true" };
    try {
      t = performance.now();
      const out = JSON.parse(
        execFileSync(process.execPath, [bin, "devnet", "up", "-n", c.validators, "--json"], {
          env,
        }).toString(),
      );
      samples.push({ ...c, wallMs: performance.now() - t, firstBlockMs: out.firstBlockMs });
    } finally {
      execFileSync(process.execPath, [bin, "devnet", "down"], { env, stdio: "ignore" });
      rmSync(home, { recursive: true, force: true });
    }
  }
}
const result = {
  benchmark: "devnet up -n N: CLI wall time and first final block",
  runs,
  nodeFloorMedianMs: Math.round(median(floor)),
  results: cases.map((c) => {
    const mine = samples.filter((s) => s.root === c.root && s.validators === c.validators);
    return {
      root: c.root,
      validators: Number(c.validators),
      medianWallMs: Math.round(median(mine.map((s) => s.wallMs))),
      medianFirstBlockMs: Math.round(median(mine.map((s) => s.firstBlockMs))),
      allWallMs: mine.map((s) => Math.round(s.wallMs)),
    };
  }),
  targets: { "wall -n 1": 1000, "first block -n 5": 1500 },
};
console.log(JSON.stringify(result, null, 2));
