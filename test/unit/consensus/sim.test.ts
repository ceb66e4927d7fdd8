import { describe, expect, it } from "vitest";
import { Sim } from "../../helpers/sim/sim.js";

describe("consensus in a simulated network (deterministic, virtual time)", () => {
  for (const n of [4, 7]) {
    it(`${n} validators finalize 100 heights with identical block hashes everywhere`, () => {
      const sim = new Sim({ n, seed: 42 + n });
      sim.start();
      expect(sim.runUntil({ height: 100n, maxTime: 600_000 })).toBe(true);
      expect(sim.violations).toEqual([]);
      for (const node of sim.nodes) {
        for (let h = 1n; h <= 100n; h++) expect(node.decided.get(h)).toBe(sim.decisions.get(h));
      }
    });
  }

  it("keeps finalizing with 1 of 4 validators crashed", () => {
    const sim = new Sim({ n: 4, seed: 7 });
    sim.crash(2);
    sim.start();
    expect(sim.runUntil({ height: 30n, maxTime: 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
  });

  it("halts with 2 of 4 crashed, and resumes when they come back", () => {
    const sim = new Sim({ n: 4, seed: 8 });
    sim.start();
    expect(sim.runUntil({ height: 5n, maxTime: 600_000 })).toBe(true);
    sim.crash(1);
    sim.crash(3);
    const before = sim.maxDecided();
    expect(sim.runUntil({ height: before + 3n, maxTime: sim.now + 30_000 })).toBe(false);
    expect(sim.maxDecided()).toBeLessThanOrEqual(before + 1n);
    sim.restart(1);
    sim.restart(3);
    expect(sim.runUntil({ height: before + 10n, maxTime: sim.now + 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
  });

  it("stays safe and live through a partition that heals", () => {
    const sim = new Sim({ n: 4, seed: 9 });
    sim.start();
    sim.runUntil({ height: 3n, maxTime: 600_000 });
    sim.partition([0, 1], [2, 3]);
    const before = sim.maxDecided();
    sim.runUntil({ height: before + 5n, maxTime: sim.now + 20_000 });
    expect(sim.maxDecided()).toBeLessThanOrEqual(before + 1n);
    sim.heal();
    expect(sim.runUntil({ height: before + 6n, maxTime: sim.now + 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
  });

  it("never decides two blocks at one height under random drop/delay/duplication/reordering (200 seeds)", () => {
    const failures: string[] = [];
    let progressed = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const sim = new Sim({ n: 4, seed, net: { minDelay: 0, maxDelay: 150, drop: 0.1, duplicate: 0.1 } });
      sim.start();
      sim.runUntil({ height: 5n, maxTime: 60_000 });
      if (sim.violations.length) failures.push(`seed ${seed}: ${sim.violations.join(", ")}`);
      if (sim.maxDecided() >= 1n) progressed++;
    }
    expect(failures).toEqual([]);
    expect(progressed).toBeGreaterThan(150); // drops slow it down, but it is not stuck
  });

  it("detects an equivocating validator (two different prevotes) and stays safe", () => {
    const sim = new Sim({ n: 4, seed: 11 });
    (sim.nodes[0] as { byzantine: boolean }).byzantine = true;
    sim.start();
    expect(sim.runUntil({ height: 10n, maxTime: 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
    const honestWithEvidence = sim.nodes.slice(1).filter((n) => n.evidence > 0).length;
    expect(honestWithEvidence).toBeGreaterThanOrEqual(1);
  });

  it("does not finalize blocks that honest validators find invalid", () => {
    // Validator 0 proposes invalid blocks; its rounds must fail and others' succeed.
    const sim = new Sim({ n: 4, seed: 12, invalidProposalsFrom: [0] });
    sim.start();
    expect(sim.runUntil({ height: 15n, maxTime: 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
  });
});

describe("validator-set changes at an epoch boundary (simulated)", () => {
  it("every engine switches sets at the boundary; finality continues after a validator leaves", () => {
    const sim = new Sim({ n: 5, seed: 21, leaveAt: { height: 10n, index: 4 } });
    sim.start();
    expect(sim.runUntil({ height: 10n, maxTime: 600_000 })).toBe(true);
    // The departed validator stops: the remaining 4 of 4 in the new set must keep finalizing.
    sim.crash(4);
    expect(sim.runUntil({ height: 40n, maxTime: 600_000 })).toBe(true);
    expect(sim.violations).toEqual([]);
    expect(sim.setFor(11n).validators).toHaveLength(4);
    expect(sim.setFor(10n).validators).toHaveLength(5);
    for (const node of sim.nodes.slice(0, 4)) {
      for (let h = 1n; h <= 40n; h++) expect(node.decided.get(h)).toBe(sim.decisions.get(h));
    }
  });
});
