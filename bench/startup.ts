/**
 * `npm run bench:startup`: time from `fastpos devnet up -n 5` to the first finalized block, median of N runs
 * (default 5), plus the CLI's own wall time. Uses a temporary FASTPOS_HOME and tears every devnet down.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const runs = Number(process.argv[2] ?? 5);
const validators = process.argv[3] ?? "5";
const bin = resolve(import.meta.dirname, "../bin/run.js");
const firstBlock: number[] = [];
const wall: number[] = [];
for (let i = 0; i < runs; i++) {
  const home = mkdtempSync(join(tmpdir(), "fastpos-bench-"));
  const env = { ...process.env, FASTPOS_HOME: home };
  try {
    const t = performance.now();
    const out = JSON.parse(
      execFileSync(process.execPath, [bin, "devnet", "up", "-n", validators, "--json"], { env }).toString(),
    );
    wall.push(performance.now() - t);
    firstBlock.push(out.firstBlockMs);
  } finally {
    execFileSync(process.execPath, [bin, "devnet", "down"], { env, stdio: "ignore" });
    rmSync(home, { recursive: true, force: true });
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const result = {
  benchmark: `devnet up -n ${validators} → first final block`,
  runs,
  medianFirstBlockMs: Math.round(median(firstBlock)),
  medianCliWallMs: Math.round(median(wall)),
  allFirstBlockMs: firstBlock.map(Math.round),
  targetMs: 3000,
};
console.log(JSON.stringify(result, null, 2));
