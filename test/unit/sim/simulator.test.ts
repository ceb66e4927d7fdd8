import { describe, expect, it } from "vitest";
import { toHex } from "../../../src/core/codec/index.js";
import { defaultConfig, type SimConfig } from "../../../src/sim/config.js";
import { reportOf, runSimulation } from "../../../src/sim/run.js";
import { Simulator } from "../../../src/sim/simulator.js";

/** Ported from the test-only simulator (test/helpers/sim), now on the real chain with real signatures. */
const small = (o: Partial<SimConfig>) =>
  defaultConfig({ validators: 4, heights: 20, maxTimeMs: 600_000, ...o });

function hashesAt(sim: Simulator, id: number): string[] {
  return sim
    .nodeAt(id)
    .history.from(0)
    .map((h) => toHex(h.commit.blockHash));
}

describe("the simulator drives real engines and a real chain", () => {
  for (const n of [4, 7]) {
    it(`${n} validators commit 30 heights with identical blocks and state roots everywhere`, () => {
      const sim = new Simulator(small({ validators: n, heights: 30, seed: String(40 + n), txRate: 20 }));
      sim.start();
      expect(sim.run()).toBe(true);
      expect(sim.violations).toEqual([]);
      const first = hashesAt(sim, 0).slice(0, 30);
      for (let i = 1; i < n; i++) expect(hashesAt(sim, i).slice(0, 30)).toEqual(first);
      const roots = new Set(sim.nodes.map((x) => `${x.chain.height}/${toHex(x.chain.tree.root())}`));
      expect(roots.size).toBeLessThanOrEqual(2); // the last committer may be one height ahead
      expect(sim.load.committed).toBeGreaterThan(0);
    });
  }

  it("keeps committing with 1 of 4 validators crashed", () => {
    const r = runSimulation(small({ seed: "7", faults: [{ at: { timeMs: 0 }, kind: "crash", nodes: [2] }] }));
    expect(r.liveness.ok).toBe(true);
    expect(r.safety.ok).toBe(true);
    expect(r.rounds.max).toBeGreaterThan(0); // the crashed validator's turns take a round change
  });

  it("halts with 2 of 4 crashed and resumes after they restart (WAL replay, block sync)", () => {
    const sim = new Simulator(
      small({
        seed: "8",
        heights: 15,
        maxTimeMs: 60_000,
        faults: [
          { at: { height: 5 }, kind: "crash", nodes: [1, 3] },
          { at: { timeMs: 20_000 }, kind: "restart", nodes: [1, 3] },
        ],
      }),
    );
    sim.start();
    expect(sim.run()).toBe(true);
    const r = reportOf(sim, true);
    expect(r.safety.ok).toBe(true);
    // No block between the crash and the restart: the gap between two commits spans it.
    expect(r.blockTimeMs.max).toBeGreaterThan(10_000);
    expect(r.messages.restarts).toBe(2);
  });

  it("stays safe through a partition and is live again after it heals", () => {
    const r = runSimulation(
      small({
        seed: "9",
        faults: [
          {
            at: { height: 3 },
            kind: "partition",
            groups: [
              [0, 1],
              [2, 3],
            ],
          },
          { at: { timeMs: 15_000 }, kind: "heal" },
        ],
      }),
    );
    expect(r.safety.ok).toBe(true);
    expect(r.liveness.ok).toBe(true);
    expect(r.blockTimeMs.max).toBeGreaterThan(5_000);
  });

  it("an equivocating validator is caught: honest nodes find the evidence and the chain slashes it", () => {
    const sim = new Simulator(
      small({
        seed: "11",
        heights: 12,
        byzantine: [{ nodes: [0], behaviours: [{ kind: "equivocate-prevote" }] }],
      }),
    );
    sim.start();
    sim.run();
    const r = reportOf(sim, true);
    expect(r.safety.ok).toBe(true);
    expect(r.messages.evidence).toBeGreaterThan(0);
    const byz = sim.nodeAt(0).addressHex;
    expect(r.chain.penalties.some((p) => p.validator === byz && p.tombstoned)).toBe(true);
  });

  it("a validator that stays down is jailed for downtime and leaves the set", () => {
    const r = runSimulation(
      small({
        validators: 5,
        heights: 110,
        seed: "21",
        faults: [{ at: { timeMs: 0 }, kind: "crash", nodes: [4] }],
      }),
    );
    expect(r.safety.ok).toBe(true);
    expect(r.chain.penalties.some((p) => p.reason === "downtime")).toBe(true);
    expect(r.chain.finalValidators).toBe(4);
  });
});
