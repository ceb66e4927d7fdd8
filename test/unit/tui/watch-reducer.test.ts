import { describe, expect, it } from "vitest";
import {
  type ConsensusViewJson,
  initialWatchState,
  sparkline,
  type WatchAction,
  watchReducer,
} from "../../../src/tui/watch-reducer.js";

const A = "0xaa";
const B = "0xbb";
const C = "0xcc";
const D = "0xdd";
const HASH = `0x${"12".repeat(32)}`;
const nodes = ["n0", "n1", "n2", "n3"].map((name, i) => ({ name, url: `http://127.0.0.1:${9000 + i}` }));

const status = (node: string, validator: string, height: number, round = 0): WatchAction => ({
  type: "status",
  node,
  at: 1000,
  status: {
    chainId: "c",
    height: String(height),
    consensus: { round, step: "prevote" },
    peers: 3,
    mempool: { txs: 2 },
    validator,
  },
});

function view(
  height: number,
  round: number,
  votes: Record<string, [string | null, string | null]>,
  proposer = A,
): ConsensusViewJson {
  return {
    height: String(height),
    round,
    step: "prevote",
    proposer,
    totalPower: "40",
    validators: [A, B, C, D].map((address) => ({
      address,
      power: "10",
      workWeight: "10000",
      rounds: [{ round, prevote: votes[address]?.[0] ?? null, precommit: votes[address]?.[1] ?? null }],
    })),
    rounds: [
      {
        round,
        proposal: HASH,
        prevotePower: String(Object.values(votes).filter((v) => v[0] !== null).length * 10),
        precommitPower: String(Object.values(votes).filter((v) => v[1] !== null).length * 10),
      },
    ],
  };
}

function run(actions: WatchAction[]) {
  return actions.reduce(watchReducer, initialWatchState(nodes));
}

describe("watch reducer", () => {
  it("builds the vote matrix with block, nil and missing votes, names and the >2/3 mark", () => {
    const s = run([
      status("n0", A, 5),
      status("n1", B, 5),
      status("n2", C, 5),
      status("n3", D, 5),
      {
        type: "consensus",
        node: "n0",
        at: 1000,
        view: view(6, 0, { [A]: [HASH, HASH], [B]: [HASH, null], [C]: ["nil", null] }),
      },
    ]);
    expect(s.height).toBe(6);
    expect(s.validators.map((v) => v.name)).toEqual(["n0", "n1", "n2", "n3"]);
    expect(s.validators[0]).toMatchObject({ proposer: true, workWeight: "1.00" });
    expect(s.validators.map((v) => v.votes[0]?.prevote)).toEqual(["block", "block", "nil", "missing"]);
    expect(s.validators.map((v) => v.votes[0]?.precommit)).toEqual([
      "block",
      "missing",
      "missing",
      "missing",
    ]);
    expect(s.rounds[0]).toMatchObject({
      prevotePct: 75,
      prevoteQuorum: true,
      precommitPct: 25,
      precommitQuorum: false,
    });
  });

  it("exactly 2/3 is not marked as a quorum", () => {
    const v = view(6, 0, { [A]: [HASH, null], [B]: [HASH, null] });
    v.totalPower = "30";
    const s = run([{ type: "consensus", node: "n0", at: 0, view: v }]);
    expect(s.rounds[0]?.prevoteQuorum).toBe(false);
  });

  it("shows a node that stops answering as offline, and its validator too, until it answers again", () => {
    let s = run([status("n2", C, 5), { type: "consensus", node: "n0", at: 0, view: view(6, 0, {}) }]);
    s = watchReducer(s, { type: "offline", node: "n2", at: 2000 });
    expect(s.nodes[2]).toMatchObject({ online: false, peers: null });
    expect(s.validators.find((v) => v.address === C)?.online).toBe(false);
    s = watchReducer(s, status("n2", C, 7));
    expect(s.nodes[2]?.online).toBe(true);
    expect(s.validators.find((v) => v.address === C)?.online).toBe(true);
  });

  it("follows the most advanced node: a lagging node's view does not pull the screen back", () => {
    const s = run([
      { type: "consensus", node: "n0", at: 0, view: view(9, 2, {}) },
      { type: "consensus", node: "n3", at: 0, view: view(7, 0, {}) },
    ]);
    expect([s.height, s.round]).toEqual([9, 2]);
  });

  it("keeps recent blocks once each (every node reports them), newest first, with rates", () => {
    const nb = (node: string, height: number, at: number, txs = 4): WatchAction => ({
      type: "newBlock",
      node,
      at,
      block: { height: String(height), hash: `0x${height}`, txs, proposer: A, latencyMs: 30, round: 0 },
    });
    const s = run([
      status("n0", A, 1),
      nb("n0", 10, 1000),
      nb("n1", 10, 1001),
      nb("n0", 11, 1500),
      nb("n1", 12, 2000, 10),
    ]);
    expect(s.blocks.map((b) => b.height)).toEqual([12, 11, 10]);
    expect(s.blocks[0]?.proposer).toBe("n0");
    expect(s.blockRate).toEqual([2, 2]);
    expect(s.txRate).toEqual([8, 20]);
    expect(sparkline([1, 2, 4, 8])).toHaveLength(4);
    expect(sparkline([])).toBe("");
  });

  it("pause freezes consensus and block updates; keys move the selection and ask before node actions", () => {
    let s = run([
      { type: "key", key: "pause" },
      { type: "consensus", node: "n0", at: 0, view: view(6, 0, {}) },
    ]);
    expect(s.height).toBeNull();
    s = watchReducer(s, { type: "key", key: "pause" });
    s = watchReducer(s, { type: "key", key: "down" });
    s = watchReducer(s, { type: "key", key: "down" });
    s = watchReducer(s, { type: "key", key: "kill" });
    expect(s.confirm).toEqual({ action: "kill", node: "n2" });
    s = watchReducer(s, { type: "key", key: "cancel" });
    expect(s.confirm).toBeNull();
    for (let i = 0; i < 10; i++) s = watchReducer(s, { type: "key", key: "down" });
    expect(s.selected).toBe(3);
  });
});

describe("issue 19 item 8: stopped nodes and node-less validators are not 'online'", () => {
  it("a validator whose node never answered shows its node's name and OFFLINE", () => {
    const known = nodes.map((n, i) => ({ ...n, validator: [A, B, C, D][i] as string }));
    let s = initialWatchState(known);
    s = watchReducer(s, status("n0", A, 5));
    s = watchReducer(s, { type: "offline", node: "n2", at: 1000 });
    s = watchReducer(s, {
      type: "consensus",
      node: "n0",
      at: 1000,
      view: view(5, 0, { [A]: [HASH, null], [B]: [HASH, null], [C]: [null, null], [D]: [HASH, null] }),
    });
    const c = s.validators.find((v) => v.address === C);
    expect(c).toMatchObject({ name: "n2", online: false });
  });

  it("a validator with no node counts as online only while it votes", () => {
    let s = initialWatchState(nodes.slice(0, 1));
    s = watchReducer(s, status("n0", A, 5));
    s = watchReducer(s, {
      type: "consensus",
      node: "n0",
      at: 1000,
      view: view(5, 0, { [A]: [HASH, null], [B]: [HASH, null] }),
    });
    expect(s.validators.find((v) => v.address === B)?.online).toBe(true);
    expect(s.validators.find((v) => v.address === C)?.online).toBe(false);
  });
});

describe("watch reducer: slashing", () => {
  const at = 1000;
  const base = () =>
    run([
      status("n0", A, 5),
      status("n1", B, 5),
      { type: "consensus", node: "n0", at, view: view(5, 0, {}) },
    ]);

  it("marks new evidence once, pending then committed, and names the offender", () => {
    let s = base();
    const ev = { type: "evidence" as const, validator: B, kind: "prevote" as const, height: "4", round: 0 };
    s = watchReducer(s, { type: "slashing", at, event: { ...ev, status: "pending" } });
    s = watchReducer(s, { type: "slashing", at, event: { ...ev, status: "pending" } });
    expect(s.evidence).toEqual([
      { validator: B, name: "n1", kind: "prevote", height: 4, round: 0, committedAt: null },
    ]);
    s = watchReducer(s, { type: "slashing", at, event: { ...ev, status: "committed", committedAt: "6" } });
    expect(s.evidence).toHaveLength(1);
    expect(s.evidence[0]?.committedAt).toBe(6);
  });

  it("marks slashed and jailed validators from events, and clears the jail on unjail", () => {
    let s = base();
    s = watchReducer(s, { type: "slashing", at, event: { type: "slash", validator: B, amount: "50000" } });
    s = watchReducer(s, { type: "slashing", at, event: { type: "jail", validator: B, tombstoned: true } });
    expect(s.validators.find((v) => v.address === B)?.slashed).toBe("50000");
    expect(s.jailed).toEqual([{ address: B, name: "n1", tombstoned: true, slashed: "50000" }]);
    s = watchReducer(s, { type: "slashing", at, event: { type: "unjail", validator: B } });
    expect(s.jailed).toEqual([]);
    expect(s.penalties[B]).toMatchObject({ jailed: false, tombstoned: true, slashed: "50000" });
  });

  it("takes jail and slashed amounts from /v1/validators (jailed validators are not in the vote matrix)", () => {
    const s = watchReducer(base(), {
      type: "validators",
      at,
      validators: [
        {
          address: A,
          name: "node0",
          status: "active",
          jailed: false,
          tombstoned: false,
          slashed: "0",
          missedBlocks: 0,
        },
        {
          address: D,
          name: "node3",
          status: "jailed",
          jailed: true,
          tombstoned: false,
          slashed: "10000",
          missedBlocks: 9,
        },
      ],
    });
    expect(s.jailed).toEqual([{ address: D, name: "node3", tombstoned: false, slashed: "10000" }]);
    expect(s.validators.find((v) => v.address === D)?.slashed).toBe("10000");
    expect(s.validators.find((v) => v.address === A)?.slashed).toBe("0");
  });
});

describe("watch reducer: rewards (product layer)", () => {
  it("shows each validator's operator rewards once polled, and keeps them across consensus views", () => {
    let s = initialWatchState([{ name: "node0", url: "http://127.0.0.1:1" }]);
    const view = {
      height: "5",
      round: 0,
      step: "propose" as const,
      proposer: "0xaa",
      totalPower: "10",
      validators: [{ address: "0xaa", power: "10", workWeight: "12000", rounds: [] }],
      rounds: [],
    };
    s = watchReducer(s, { type: "consensus", node: "node0", at: 1, view });
    expect(s.validators[0]).toMatchObject({ workWeight: "1.20", rewards: "–" });
    s = watchReducer(s, { type: "rewards", rewards: { "0xaa": "250000" } });
    expect(s.validators[0]?.rewards).toBe("250000");
    s = watchReducer(s, { type: "consensus", node: "node0", at: 2, view: { ...view, height: "6" } });
    expect(s.validators[0]?.rewards).toBe("250000");
  });
});
