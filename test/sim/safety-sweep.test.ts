import { describe, expect, it } from "vitest";
import { rng, Sim } from "../helpers/sim/sim.js";

/**
 * Long seed sweeps (`npm run test:sim`): random network faults, crashes/restarts, partitions and a
 * byzantine equivocator. Safety must hold in every run; liveness is checked once faults stop.
 */
describe("consensus safety sweeps", () => {
  it("1000 seeds of drop/delay/duplicate/reorder with crash-restarts and partitions: never two decisions at a height", () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 1000; seed++) {
      const r = rng(seed * 7919);
      const n = 4 + Math.floor(r() * 4);
      const sim = new Sim({
        n,
        seed,
        net: { minDelay: 0, maxDelay: 50 + Math.floor(r() * 400), drop: r() * 0.3, duplicate: r() * 0.2 },
      });
      if (r() < 0.3) (sim.nodes[0] as { byzantine: boolean }).byzantine = true;
      sim.start();
      for (let phase = 0; phase < 4; phase++) {
        const victim = 1 + Math.floor(r() * (n - 1));
        const action = r();
        if (action < 0.3) sim.crash(victim);
        else if (action < 0.5)
          sim.partition(
            [victim],
            Array.from({ length: n }, (_, i) => i).filter((i) => i !== victim),
          );
        sim.runUntil({ height: sim.maxDecided() + 3n, maxTime: sim.now + 5_000 });
        if (action < 0.3) sim.restart(victim);
        sim.heal();
      }
      if (sim.violations.length) failures.push(`seed ${seed}: ${sim.violations.join("; ")}`);
      const refused = sim.nodes.filter((x) => !x.byzantine && x.refused > 0).map((x) => x.id);
      if (refused.length)
        failures.push(`seed ${seed}: honest nodes ${refused} attempted a conflicting signature`);
    }
    expect(failures).toEqual([]);
  });

  it("after faults stop, 50 random seeds make progress again (liveness)", () => {
    const stuck: number[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const sim = new Sim({ n: 4, seed, net: { minDelay: 0, maxDelay: 200, drop: 0.2, duplicate: 0.1 } });
      sim.start();
      sim.crash(1);
      sim.runUntil({ height: 5n, maxTime: 20_000 });
      sim.restart(1);
      const before = sim.maxDecided();
      if (!sim.runUntil({ height: before + 5n, maxTime: sim.now + 600_000 })) stuck.push(seed);
    }
    expect(stuck).toEqual([]);
  });
});
