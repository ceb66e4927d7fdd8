import { describe, expect, it } from "vitest";
import type { Commit } from "../../../src/core/chain/index.js";
import { hashBlock, verifyCommit } from "../../../src/core/chain/index.js";
import { toHex } from "../../../src/core/codec/index.js";
import { step } from "../../../src/core/consensus/index.js";
import { defaultConfig, type EngineStep } from "../../../src/sim/config.js";
import { Simulator } from "../../../src/sim/simulator.js";

// A node's history keeps its blocks only: block sync serves each block with the next block's lastCommit,
// and the newest with the node's own commit. Each must be a valid commit of that very block.
describe("sim history", () => {
  it("serves every committed block with a valid commit for it; the newest with the node's own", () => {
    const decided = new Map<string, Commit>();
    const engine: EngineStep = (state, event) => {
      const r = step(state, event);
      for (const e of r.effects)
        if (e.type === "decide")
          decided.set(`${toHex(state.self ?? new Uint8Array())}/${e.height}`, e.commit);
      return r;
    };
    const config = defaultConfig({
      validators: 7,
      heights: 15,
      seed: "11",
      maxTimeMs: 600_000,
      engine,
      links: { ...defaultConfig().links, loss: 0.2, jitterMs: 30 },
    });
    const sim = new Simulator(config);
    sim.start();
    expect(sim.run()).toBe(true);
    const set = sim.world.state0.validatorSet; // no staking changes in this run
    let owned = 0;
    for (const n of sim.nodes) {
      const items = n.history.from(0);
      expect(items.length).toBe(Number(n.chain.height));
      items.forEach(({ block, commit }, i) => {
        expect(block.header.height).toBe(BigInt(i + 1));
        expect(() =>
          verifyCommit(commit, set, sim.world.genesis.chainId, {
            height: block.header.height,
            blockHash: hashBlock(block),
          }),
        ).not.toThrow();
      });
      const top = items.length - 1;
      const own = decided.get(`${n.addressHex}/${top + 1}`);
      if (own) {
        expect(items[top]?.commit).toBe(own); // not synced: its own commit
        owned++;
      }
      expect(n.history.at(items.length)).toBeUndefined();
    }
    expect(owned).toBeGreaterThan(0);
  });
});
