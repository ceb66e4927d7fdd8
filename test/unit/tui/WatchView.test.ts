import { describe, expect, it } from "vitest";
import { initialWatchState, watchReducer } from "../../../src/tui/watch-reducer.js";

// Ink renders only the last frame when CI=true; component tests need the normal renderer.
process.env.CI = "false";

describe("WatchView (ink-testing-library)", () => {
  it("renders header, vote matrix, blocks and offline nodes", async () => {
    const [{ render }, { createElement }, { WatchView }] = await Promise.all([
      import("ink-testing-library"),
      import("react"),
      import("../../../src/tui/WatchView.js"),
    ]);
    let s = initialWatchState([
      { name: "node0", url: "u0" },
      { name: "node1", url: "u1" },
    ]);
    s = watchReducer(s, {
      type: "status",
      node: "node0",
      at: 0,
      status: {
        chainId: "fastpos-test",
        height: "41",
        consensus: { round: 1, step: "precommit" },
        peers: 1,
        mempool: { txs: 3 },
        validator: "0xaa",
      },
    });
    s = watchReducer(s, { type: "offline", node: "node1", at: 0 });
    s = watchReducer(s, {
      type: "consensus",
      node: "node0",
      at: 0,
      view: {
        height: "42",
        round: 1,
        step: "precommit",
        proposer: "0xaa",
        totalPower: "20",
        validators: [
          {
            address: "0xaa",
            power: "10",
            workWeight: "10000",
            rounds: [{ round: 1, prevote: "0x01", precommit: "nil" }],
          },
          {
            address: "0xbb",
            power: "10",
            workWeight: "20000",
            rounds: [{ round: 1, prevote: null, precommit: null }],
          },
        ],
        rounds: [{ round: 1, proposal: "0x01", prevotePower: "10", precommitPower: "10" }],
      },
    });
    s = watchReducer(s, {
      type: "newBlock",
      node: "node0",
      at: 0,
      block: { height: "41", hash: "0xabcdef012345", txs: 7, proposer: "0xaa", latencyMs: 120, round: 0 },
    });
    const { lastFrame, unmount } = render(createElement(WatchView, { state: s, now: 500, canControl: true }));
    const frame = lastFrame() ?? "";
    unmount();
    expect(frame).toContain("fastpos-test");
    expect(frame).toMatch(/height 42\s+round 1\s+step precommit/);
    expect(frame).toContain("▶ node0");
    expect(frame).toContain("2.00");
    expect(frame).toContain("●");
    expect(frame).toContain("○");
    expect(frame).toMatch(/node1\s+OFFLINE/);
    expect(frame).toMatch(/41\s+0xabcdef0123\s+7/);
    expect(frame).toContain("k kill");
  });
});
