import { defaultConfig, type EngineStep, type Fault, type SimConfig } from "../../src/sim/config.js";
import { createRng } from "../../src/sim/rng.js";

/**
 * A seeded lock attack: 4 validators, validator 0 equivocating prevotes and precommits, lossy jittery
 * links, and honest validators cut off one at a time (random partitions that change every 0.2–1.7 s).
 * With seed 11 a lock-ignoring engine decides two blocks at height 3; the real engine never does.
 */
export function lockAttack(seed: string, engine?: EngineStep): SimConfig {
  const r = createRng(`sched/${seed}`);
  const faults: Fault[] = [];
  let t = 0;
  for (let i = 0; i < 40; i++) {
    t += 200 + r.int(1500);
    faults.push({ at: { timeMs: t }, kind: "partition", groups: [[1 + r.int(3)]] });
    t += 100 + r.int(1500);
    faults.push({ at: { timeMs: t }, kind: "heal" });
  }
  return defaultConfig({
    validators: 4,
    heights: 15,
    seed,
    preset: "dev",
    maxTimeMs: 60_000,
    gossipMs: 300,
    links: { latencyMs: 60, spread: 0.5, jitterMs: 60, dist: "exponential", loss: 0.05, duplicate: 0 },
    byzantine: [
      { nodes: [0], behaviours: [{ kind: "equivocate-prevote" }, { kind: "equivocate-precommit" }] },
    ],
    faults,
    ...(engine ? { engine } : {}),
  });
}

/** The deliberately broken engine: the real `step`, but every lock is forgotten before each event. */
export function ignoreLock(step: EngineStep): EngineStep {
  return (state, event) => step({ ...state, lockedRound: -1, lockedValue: null }, event);
}
