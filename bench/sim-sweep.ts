/**
 * `npm run sim:sweep -- --seeds 10000 [--from 1] [--workers N]`: the long seed sweep of issue 23 item 2 — random
 * byzantine behaviours over random fault schedules (src/sim/sweep.ts), safety checked at every decision.
 * Prints progress every 100 seeds, the failing seeds with the command that reproduces each, and the wall
 * time. Exit 1 if any seed broke safety.
 */
import { sweep } from "../src/sim/sweep.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seeds = opt("--seeds", 10_000);
const from = opt("--from", 1);
const started = performance.now();
let done = 0;
// Small networks: signature threads cost more in messages than they save (sweeps run in parallel instead).
const workers = opt("--workers", 0);
const failed = sweep(from, from + seeds - 1, {
  workers,
  onRun: (seed) => {
    done++;
    if (done % 100 === 0)
      process.stderr.write(
        `[sim:sweep] ${done}/${seeds} seeds (last ${seed}), ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
      );
  },
});
const s = (performance.now() - started) / 1000;
for (const f of failed)
  process.stdout.write(
    `seed ${f.seed}: ${f.violation}\n  reproduce: sweepConfig(${f.seed}) in src/sim/sweep.ts (npm run sim:sweep -- --from ${f.seed} --seeds 1)\n`,
  );
process.stdout.write(
  `${seeds} seeds from ${from}: ${failed.length} safety violations, ${s.toFixed(1)} s wall (${((s * 1000) / seeds).toFixed(0)} ms/seed)\n`,
);
if (failed.length) process.exitCode = 1;
