import { describe, expect, it } from "vitest";
import { createServeBudget } from "../../../src/node/serve-budget.js";

/** Per-peer budgets of what a node serves on request (issue 23 item 3), on a virtual clock. */
describe("serve budget", () => {
  const limits = {
    blocksPerSecond: 10,
    blockBurst: 20,
    txsPerSecond: 100,
    txBurst: 200,
    maxRefusedInARow: 3,
  };

  it("serves within the burst, refuses past it, and reports a peer that keeps asking", () => {
    let t = 0;
    const b = createServeBudget(limits, () => t);
    expect(b.blocks("p", 20)).toBe("serve");
    expect(b.blocks("p", 1)).toBe("refuse");
    expect(b.blocks("p", 1)).toBe("refuse");
    expect(b.blocks("p", 1)).toBe("misbehave");
    // Another peer has its own budget.
    expect(b.blocks("q", 20)).toBe("serve");
    // The budget refills with time, and a served request resets the refusals.
    t += 1000;
    expect(b.blocks("p", 10)).toBe("serve");
    expect(b.blocks("p", 1)).toBe("refuse");
  });

  it("counts txs separately from blocks and forgets a peer that left", () => {
    let t = 0;
    const b = createServeBudget(limits, () => t);
    expect(b.txs("p", 200)).toBe("serve");
    expect(b.txs("p", 1)).toBe("refuse");
    expect(b.blocks("p", 20)).toBe("serve");
    b.dropPeer("p");
    expect(b.txs("p", 200)).toBe("serve");
    t += 100;
    expect(b.txs("p", 10)).toBe("serve");
  });
});
