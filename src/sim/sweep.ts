import {
  BEHAVIOURS,
  type Behaviour,
  defaultConfig,
  type EngineStep,
  type Fault,
  type SimConfig,
} from "./config.js";
import { createRng } from "./rng.js";
import { runSimulation, type SimReport } from "./run.js";

/**
 * Random schedules for seed sweeps (issue 23 item 2): from one seed, a small network (4–7 validators) with
 * f < n/3 byzantine validators given random behaviours, random link models, and a random schedule of
 * partitions, crashes, restarts and network changes. Safety is checked at every decision of every run.
 * Liveness is not a sweep verdict: with an equivocator the engine may stall (see docs/simulation.md).
 */
export function sweepConfig(
  seed: number,
  o: { heights?: number; engine?: EngineStep; workers?: number } = {},
): SimConfig {
  const r = createRng(`sweep/${seed}`);
  const n = 4 + r.int(4);
  const f = Math.floor((n - 1) / 3);
  const byzCount = r.int(f + 1);
  const kinds = r.shuffle(BEHAVIOURS);
  const behaviours: Behaviour[] = kinds
    .slice(0, 1 + r.int(3))
    .map((kind) => ({ kind, delayMs: 50 + r.int(2000), count: 1 + r.int(5), share: r.next() }));
  // Equivocation is the strongest test of the lock rules: most seeds have it.
  if (byzCount && r.chance(0.7))
    behaviours.push({ kind: "equivocate-prevote" }, { kind: "equivocate-precommit" });
  const faults: Fault[] = [];
  let t = 0;
  const honest = Array.from({ length: n - byzCount }, (_, i) => i + byzCount);
  for (let i = 0; i < 30; i++) {
    t += 200 + r.int(1500);
    const victim = r.pick(honest);
    const roll = r.next();
    if (roll < 0.5) {
      faults.push({ at: { timeMs: t }, kind: "partition", groups: [[victim]] });
      t += 100 + r.int(1500);
      faults.push({ at: { timeMs: t }, kind: "heal" });
    } else if (roll < 0.75) {
      faults.push({ at: { timeMs: t }, kind: "crash", nodes: [victim] });
      t += 100 + r.int(2000);
      faults.push({ at: { timeMs: t }, kind: "restart", nodes: [victim] });
    } else
      faults.push({
        at: { timeMs: t },
        kind: "links",
        links: { loss: r.next() * 0.2, jitterMs: r.int(200) },
      });
  }
  return defaultConfig({
    validators: n,
    heights: o.heights ?? 10,
    seed: String(seed),
    preset: "dev",
    maxTimeMs: 60_000,
    gossipMs: 300,
    links: {
      latencyMs: 10 + r.int(150),
      spread: r.next(),
      jitterMs: r.int(150),
      dist: r.pick(["uniform", "normal", "exponential"] as const),
      loss: r.next() * 0.15,
      duplicate: r.next() * 0.1,
    },
    byzantine: byzCount ? [{ nodes: Array.from({ length: byzCount }, (_, i) => i), behaviours }] : [],
    faults,
    ...(o.engine ? { engine: o.engine } : {}),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
  });
}

/** Runs seeds from..to; returns the seeds whose run broke safety, with the first violation. */
export function sweep(
  from: number,
  to: number,
  o: {
    heights?: number;
    engine?: EngineStep;
    workers?: number;
    onRun?: (seed: number, r: SimReport) => void;
  } = {},
): { seed: number; violation: string }[] {
  const failed: { seed: number; violation: string }[] = [];
  for (let seed = from; seed <= to; seed++) {
    const r = runSimulation(sweepConfig(seed, o));
    o.onRun?.(seed, r);
    if (!r.safety.ok) failed.push({ seed, violation: r.safety.violations[0] ?? "?" });
  }
  return failed;
}
