import { describe, expect, it } from "vitest";
import { step } from "../../src/core/consensus/index.js";
import { runSimulation } from "../../src/sim/run.js";
import { sweep } from "../../src/sim/sweep.js";
import { ignoreLock, lockAttack } from "../helpers/sim-attack.js";

/**
 * Seed sweeps with the promoted simulator (`npm run test:sim`; the long run is `npm run sim:sweep --
 * --seeds 10000`): random byzantine behaviours (equivocation, withholding, forged signatures,
 * future-height floods, late and duplicate votes, conflicting proposals), random link models and random
 * schedules of partitions, crashes/restarts and network changes. Safety is checked at every decision.
 */
const SEEDS = Number(process.env.SIM_SEEDS ?? 60);

describe("consensus safety sweeps (src/sim)", () => {
  it(`${SEEDS} random byzantine schedules: never two blocks at a height, never a weak commit`, () => {
    expect(sweep(1, SEEDS)).toEqual([]);
  });

  it("the seeded lock attack catches a lock-ignoring engine", () => {
    expect(runSimulation(lockAttack("11", ignoreLock(step))).safety.ok).toBe(false);
  });
});
