import { describe, expect, it } from "vitest";
import { step } from "../../../src/core/consensus/index.js";
import { defaultConfig } from "../../../src/sim/config.js";
import { runSimulation } from "../../../src/sim/run.js";
import { ignoreLock, lockAttack } from "../../helpers/sim-attack.js";

/** A run with everything that draws randomness: lossy links, tx load, a crash-restart, a byzantine node. */
function busy(seed: string) {
  return defaultConfig({
    validators: 5,
    heights: 15,
    seed,
    txRate: 40,
    links: { latencyMs: 40, spread: 0.4, jitterMs: 30, dist: "normal", loss: 0.05, duplicate: 0.05 },
    byzantine: [{ nodes: [4], behaviours: [{ kind: "forge" }, { kind: "duplicate" }] }],
    faults: [
      { at: { height: 3 }, kind: "crash", nodes: [1] },
      { at: { timeMs: 1_500 }, kind: "restart", nodes: [1] },
    ],
  });
}

describe("fastpos sim: determinism", () => {
  it("the same seed and inputs give the same digest, run twice", () => {
    const a = runSimulation(busy("7"));
    const b = runSimulation(busy("7"));
    expect(a.safety.ok).toBe(true);
    expect(a.liveness.ok).toBe(true);
    expect(a.chain.txsCommitted).toBeGreaterThan(0);
    expect(a.messages.walReplayed).toBeGreaterThan(0);
    expect(a.messages.badSignatures).toBeGreaterThan(0); // the forged votes were checked and dropped
    expect(b.digest).toBe(a.digest);
    expect(b.messages).toEqual(a.messages);
    expect(b.commitLatencyMs).toEqual(a.commitLatencyMs);
  });

  it("signature threads change nothing: the same digest with the pool (signing ahead, checking) and without", () => {
    const inline = runSimulation({ ...busy("9"), workers: 0 });
    const pooled = runSimulation({ ...busy("9"), workers: 2 });
    expect(inline.signer).toBe("real");
    expect(pooled.digest).toBe(inline.digest);
    expect(pooled.messages).toEqual(inline.messages);
    expect(pooled.work).toEqual(inline.work);
  });

  it("different seeds give different runs and digests", () => {
    const a = runSimulation(busy("7"));
    const b = runSimulation(busy("8"));
    expect(b.digest).not.toBe(a.digest);
  });
});

describe("fastpos sim: a broken engine is caught", () => {
  it("the seeded lock attack makes a lock-ignoring engine decide two blocks at one height", () => {
    const r = runSimulation(lockAttack("11", ignoreLock(step)));
    expect(r.safety.ok).toBe(false);
    expect(r.safety.violations.join("\n")).toMatch(/two blocks at height \d+/);
  });

  it("the same attack leaves the real engine safe", () => {
    const r = runSimulation(lockAttack("11"));
    expect(r.safety.violations).toEqual([]);
    expect(r.messages.evidence).toBeGreaterThan(0);
  });
});
