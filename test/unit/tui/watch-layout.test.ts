import { describe, expect, it } from "vitest";
import { fitRows, haltBanner, quorumHealth } from "../../../src/tui/watch-layout.js";
import { initialWatchState, type WatchState, watchReducer } from "../../../src/tui/watch-reducer.js";

// Ink renders only the last frame when CI=true; component tests need the normal renderer.
process.env.CI = "false";

/** A state with `n` validators of equal power, the first `online` of them with a node answering. */
function stateWith(n: number, online: number, blocks = 8): WatchState {
  const addr = (i: number) => `0x${String(i + 10).repeat(20)}`;
  const targets = Array.from({ length: n }, (_, i) => ({
    name: `node${i}`,
    url: `u${i}`,
    validator: addr(i),
  }));
  let s = initialWatchState(targets);
  for (let i = 0; i < n; i++) {
    s =
      i < online
        ? watchReducer(s, {
            type: "status",
            node: `node${i}`,
            at: 0,
            status: {
              chainId: "fastpos-test",
              height: "40",
              consensus: { round: 0, step: "propose" },
              peers: n - 1,
              mempool: { txs: 0 },
              validator: addr(i),
            },
          })
        : watchReducer(s, { type: "offline", node: `node${i}`, at: 0 });
  }
  s = watchReducer(s, {
    type: "consensus",
    node: "node0",
    at: 0,
    view: {
      height: "41",
      round: 0,
      step: "propose",
      proposer: addr(0),
      totalPower: String(10 * n),
      validators: Array.from({ length: n }, (_, i) => ({
        address: addr(i),
        power: "10",
        workWeight: "10000",
        rounds: [{ round: 0, prevote: null, precommit: null }],
      })),
      rounds: [{ round: 0, proposal: null, prevotePower: "0", precommitPower: "0" }],
    },
  });
  for (let h = 1; h <= blocks; h++)
    s = watchReducer(s, {
      type: "newBlock",
      node: "node0",
      at: h,
      block: {
        height: String(h),
        hash: `0x${"ab".repeat(32)}`,
        txs: 0,
        proposer: addr(0),
        latencyMs: 5,
        round: 0,
      },
    });
  return s;
}

describe("watch: halted chain and small terminals (issue 19 item 8)", () => {
  it("quorum: more than 1/3 of the power offline is a halt, exactly as consensus counts it", () => {
    expect(quorumHealth(stateWith(4, 3))?.halted).toBe(false); // 3/4 > 2/3
    const q = quorumHealth(stateWith(3, 2)); // 2/3 is not more than 2/3
    expect(q).toMatchObject({ halted: true, offlinePct: 34, offline: ["node2"] });
    expect(haltBanner(stateWith(5, 3))).toMatch(/CHAIN HALTED: 40% of power offline \(node3, node4\)/);
    expect(haltBanner(stateWith(5, 4))).toBeNull();
  });

  it("fits an 80×24 terminal: the header stays on screen with 12 validators and 8 blocks", async () => {
    const [{ render }, { createElement }, { WatchView }] = await Promise.all([
      import("ink-testing-library"),
      import("react"),
      import("../../../src/tui/WatchView.js"),
    ]);
    const s = stateWith(12, 7);
    const fit = fitRows(24, s, true);
    expect(fit.validators + fit.blocks + fit.nodes).toBeLessThanOrEqual(24 - 12);
    const { lastFrame } = render(
      createElement(WatchView, { state: s, now: 10, canControl: false, rows: 24 }),
    );
    const lines = (lastFrame() ?? "").split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines[0]).toMatch(/fastpos watch/);
    expect(lines.join("\n")).toMatch(/CHAIN HALTED/);
    expect(lines.join("\n")).toMatch(/more validators/);
    // Without a height limit everything shows.
    const full = render(createElement(WatchView, { state: s, now: 10, canControl: false }));
    expect((full.lastFrame() ?? "").split("\n").length).toBeGreaterThan(24);
  });
});
