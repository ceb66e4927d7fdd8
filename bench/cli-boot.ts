/**
 * `npm run bench:cli-boot -- [--runs 15] [--root DIR]...`: wall time of short CLI runs (issue 22 item 4),
 * `fastpos --version`, `fastpos query status --help` and `fastpos --help`, next to a bare `node -e 0` (the
 * floor no CLI goes below; on this shared host it moves with the load, so read the CLI times against it).
 * Runs interleave (every command of every root once per round) and the medians are reported. Each `--root`
 * is a built fastpos tree, so a worktree of main can be measured next to this one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./stats.js";

const argv = process.argv.slice(2);
let runs = 15;
const roots: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--runs") runs = Number(argv[++i]);
  else if (argv[i] === "--root") roots.push(resolve(argv[++i] as string));
  else throw new Error(`unknown option ${argv[i]}`);
}
if (roots.length === 0) roots.push(resolve(import.meta.dirname, ".."));

const home = mkdtempSync(join(tmpdir(), "fastpos-boot-"));
const env = { ...process.env, FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true", NO_COLOR: "1" };
const commands: [string, string[]][] = [
  ["--version", ["--version"]],
  ["query status --help", ["query", "status", "--help"]],
  ["--help", ["--help"]],
];
const cases: { name: string; root: string | null; args: string[] }[] = [
  { name: "node -e 0", root: null, args: ["-e", "0"] },
  ...roots.flatMap((root) =>
    commands.map(([name, args]) => ({ name, root, args: [join(root, "bin/run.js"), ...args] })),
  ),
];
const times = new Map(cases.map((c) => [c, [] as number[]]));
try {
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length] as (typeof cases)[number];
      const t = performance.now();
      execFileSync(process.execPath, c.args, { env, stdio: "ignore" });
      times.get(c)?.push(performance.now() - t);
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
const out = cases.map((c) => ({
  command: c.name,
  root: c.root,
  medianMs: Math.round(median(times.get(c) as number[])),
  minMs: Math.round(Math.min(...(times.get(c) as number[]))),
}));
console.log(JSON.stringify({ benchmark: "CLI boot (wall, ms)", runs, results: out }, null, 2));
