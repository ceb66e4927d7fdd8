import { describe, expect, it } from "vitest";
import type { VoteRecord } from "../../../src/devnet/scenario/events.js";
import {
  type ChainView,
  checkBlockHashes,
  checkLiveness,
  checkSupply,
  checkTxInclusion,
  checkVotes,
} from "../../../src/devnet/scenario/invariants.js";

/**
 * The invariant checks on consistent data pass, and each fails on data with exactly the fault it guards
 * against (the e2e test does the same on data collected from a real devnet).
 */
const hex = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const chain = (node: string, height: number, txsAt: Record<number, string[]> = {}): ChainView => ({
  node,
  height: String(height),
  blocks: Array.from({ length: height }, (_, i) => ({
    height: String(i + 1),
    hash: hex(1000 + i),
    txs: txsAt[i + 1] ?? [],
  })),
});

describe("invariants", () => {
  const txs = { 3: [hex(1), hex(2)], 5: [hex(3)] };
  const views = ["node0", "node1", "node2"].map((n) => chain(n, 6, txs));
  const finalized = new Map([
    [hex(1), { height: "3", node: "node0" }],
    [hex(2), { height: "3", node: "node1" }],
    [hex(3), { height: "5", node: "node0" }],
  ]);

  it("one block hash per height: passes on agreeing chains, fails on a fork in an API or an event stream", () => {
    expect(checkBlockHashes(views, new Map()).status).toBe("passed");
    const forked = views.map((v) =>
      v.node === "node2"
        ? { ...v, blocks: v.blocks.map((b) => (b.height === "4" ? { ...b, hash: hex(9) } : b)) }
        : v,
    );
    const r = checkBlockHashes(forked, new Map());
    expect(r).toMatchObject({ status: "failed", message: "1 heights with conflicting blocks" });
    expect(r.details?.[0]).toMatch(/^height 4: .* on node0,node1; .* on node2$/);
    // A node that announced another block before it was killed counts too.
    const announced = new Map([["node3", new Map([["2", hex(77)]])]]);
    expect(checkBlockHashes(views, announced).details?.[0]).toMatch(/^height 2: .*on node3/);
  });

  it("tx inclusion: fails when a finalized tx is missing on one node or is in two blocks", () => {
    expect(checkTxInclusion(views, finalized, [hex(1), hex(2), hex(3), hex(4)])).toMatchObject({
      status: "passed",
      message: expect.stringMatching(/^3 finalized txs/),
    });
    const skipped = views.map((v) =>
      v.node === "node1" ? chain("node1", 6, { 3: [hex(1)], 5: [hex(3)] }) : v,
    );
    const r = checkTxInclusion(skipped, finalized, [hex(1), hex(2), hex(3)]);
    expect(r.status).toBe("failed");
    expect(r.details).toEqual([
      expect.stringMatching(/missing on node1 \(at height 6; final at 3 on node1\)/),
    ]);
    const twice = views.map((v) =>
      v.node === "node0" ? chain("node0", 6, { 3: [hex(1), hex(2)], 5: [hex(3), hex(1)] }) : v,
    );
    expect(checkTxInclusion(twice, finalized, [hex(1)]).details).toEqual([
      expect.stringMatching(/in 2 blocks on node0 \(heights 3, 5\)/),
    ]);
  });

  it("supply: fails on any node whose total + burned differs from genesis, or whose accounts do not add up", () => {
    const snap = (node: string, balances: bigint, burned = 0n) => ({
      node,
      height: "9",
      balances,
      staked: 3_000n,
      unbonding: 10n,
      total: balances + 3_010n,
      burned,
      minted: 0n,
    });
    expect(checkSupply(10_010n, [snap("node0", 7_000n), snap("node1", 7_000n)]).status).toBe("passed");
    // Slashing burns: a smaller total with the difference burned still conserves the supply.
    expect(checkSupply(10_010n, [snap("node0", 6_900n, 100n)]).status).toBe("passed");
    const r = checkSupply(10_010n, [snap("node0", 7_000n), snap("node1", 7_001n)]);
    expect(r.status).toBe("failed");
    expect(r.details).toEqual([
      expect.stringMatching(
        /^node1 at height 9: total 10011 \+ burned 0 − minted 0 = 10011, \+1 against genesis/,
      ),
    ]);
    // Rewards minted: more in total, and it still balances.
    expect(checkSupply(10_010n, [{ ...snap("node0", 7_000n), total: 10_510n, minted: 500n }]).status).toBe(
      "passed",
    );
    const walk = checkSupply(10_010n, [{ ...snap("node0", 7_000n), balances: 7_001n }]);
    expect(walk.details).toEqual([
      expect.stringMatching(/= 10011, more than the node's reported total 10010/),
    ]);
  });

  it("votes: fails on two values for one validator/height/round/type, and on evidence", () => {
    const v = (value: string, node: string): VoteRecord => ({
      validator: hex(5),
      height: "7",
      round: 0,
      voteType: "prevote",
      value,
      node,
    });
    expect(checkVotes(new Map([["k", [v(hex(1), "node0")]]]), []).status).toBe("passed");
    const r = checkVotes(new Map([["k", [v(hex(1), "node0"), v("nil", "node2")]]]), []);
    expect(r.status).toBe("failed");
    expect(r.details?.[0]).toMatch(
      /prevote at height 7 round 0: .* \(seen by node0\) vs nil \(seen by node2\)/,
    );
    expect(checkVotes(new Map(), [{ node: "node1", height: "4", validator: hex(5) }]).details?.[0]).toMatch(
      /node1 reported duplicate-vote evidence/,
    );
  });

  it("liveness: fails when a node did not commit within the bound", () => {
    const ok = { node: "node0", since: "heal" as const, target: "12", ms: 800, height: "13" };
    expect(checkLiveness({ boundMs: 5000, nodes: [ok] }).status).toBe("passed");
    const r = checkLiveness({ boundMs: 5000, nodes: [ok, { ...ok, node: "node1", ms: null, height: "9" }] });
    expect(r.status).toBe("failed");
    expect(r.details).toEqual(["node1 did not reach height 12 within 5 s of the last heal (at 9)"]);
    expect(checkLiveness({ boundMs: 5000, nodes: [] }).status).toBe("failed");
  });
});
