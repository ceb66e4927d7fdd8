import { describe, expect, it } from "vitest";
import { buildBlock, encodeBlock, hashBlock, proposerFor } from "../../../src/core/chain/index.js";
import type { SignedProposal, SignedVote } from "../../../src/core/chain/vote.js";
import { toHex } from "../../../src/core/index.js";
import { createFutureBuffer } from "../../../src/node/future-buffer.js";
import { MSG } from "../../../src/node/messages.js";
import type { WalRecord } from "../../../src/node/wal-records.js";
import { createReplayer, ownKey, planWalReplay } from "../../../src/node/wal-replay.js";
import { devChain } from "../../helpers/chain.js";

const chain = devChain(4);
const me = proposerFor(chain.state.validatorSet, 0).address;
const other = chain.consensus.map((c) => c.address).find((a) => toHex(a) !== toHex(me)) as Uint8Array;
const built = buildBlock(chain.state, {
  txs: [],
  time: chain.state.lastBlockTime + 1n,
  proposer: me,
  lastCommit: null,
});
const bytes = encodeBlock(built.block);
const proposal: SignedProposal = {
  proposal: { height: 1n, round: 0, polRound: null, blockHash: built.hash, proposer: me },
  signature: new Uint8Array(64),
};
const vote = (validator: Uint8Array): SignedVote => ({
  vote: { type: "prevote", height: 1n, round: 0, blockHash: built.hash, validator },
  signature: new Uint8Array(64),
});
const records: WalRecord[] = [
  { type: "height", value: { height: 1n } },
  { type: "valueReady", value: { height: 1n, round: 0, block: bytes } },
  { type: "proposal", value: { proposal, block: bytes, valid: true } },
  { type: "vote", value: vote(other) },
  { type: "vote", value: vote(me) },
  { type: "timeout", value: { kind: "prevote", height: 1n, round: 0 } },
];

describe("WAL replay plan", () => {
  it("turns records into engine events in order, with blocks and this node's own messages marked", () => {
    const items = planWalReplay(records, 1n, me);
    expect(items?.map((i) => i.event.type)).toEqual(["valueReady", "proposal", "vote", "vote", "timeout"]);
    expect(items?.[0]?.block && toHex(hashBlock(items[0].block.block))).toBe(toHex(built.hash));
    expect(items?.map((i) => i.own?.key)).toEqual([
      undefined,
      "1/0/proposal",
      undefined,
      "1/0/prevote",
      undefined,
    ]);
    expect(items?.[1]?.own?.type).toBe(MSG.proposal);
  });

  it("discards a WAL of another height, and a full node has no own messages", () => {
    expect(planWalReplay(records, 2n, me)).toBeNull();
    expect(planWalReplay([], 1n, me)).toBeNull();
    expect(planWalReplay(records, 1n, null)?.some((i) => i.own)).toBe(false);
  });
});

describe("replayer (issue 24 item 6: no step of its own before the WAL is replayed)", () => {
  const items = planWalReplay(records, 1n, me) ?? [];

  it("holds signing and block building while active; the WAL's own messages settle them", () => {
    const r = createReplayer();
    expect(r.hold({ type: "requestValue", height: 1n, round: 0 })).toBe(false); // not replaying
    r.begin();
    expect(r.hold({ type: "requestValue", height: 1n, round: 0 })).toBe(true);
    for (const item of items) {
      r.note(item);
      // The engine asks to sign what the WAL already shows as signed: held, never signed again.
      if (item.event.type === "proposal")
        expect(r.hold({ type: "propose", proposal: proposal.proposal })).toBe(true);
    }
    expect(r.hold({ type: "vote", vote: vote(me).vote })).toBe(true);
    expect(r.hold({ type: "roundStep", height: 1n, round: 0, step: "prevote" })).toBe(false);
    const left = r.finish();
    expect(left.effects).toEqual([]);
    expect(left.value).toBeNull();
    expect(r.active).toBe(false);
  });

  it("leaves for afterwards what the WAL does not show as done", () => {
    const r = createReplayer();
    r.begin();
    r.hold({ type: "requestValue", height: 1n, round: 1 });
    const precommit = { ...vote(me).vote, type: "precommit" as const };
    r.hold({ type: "vote", vote: precommit });
    r.note(items[4] as (typeof items)[0]); // own prevote: unrelated slot
    const left = r.finish();
    expect(left.value).toEqual({ height: 1n, round: 1 });
    expect(left.effects).toEqual([{ type: "vote", vote: precommit }]);
    expect(ownKey(1n, 0, "precommit")).toBe("1/0/precommit");
  });
});

describe("future-height buffer (issue 24 item 3)", () => {
  it("keeps messages per peer within the window and bounded per peer", () => {
    const f = createFutureBuffer({ perPeer: 2, window: 3n });
    const m = (from: string, height: bigint) => ({
      from,
      type: MSG.vote,
      payload: new Uint8Array(1),
      height,
    });
    expect(f.inWindow(10n, 11n)).toBe(true);
    expect(f.inWindow(10n, 14n)).toBe(false);
    expect(f.inWindow(10n, 10n)).toBe(false);
    expect(f.add(m("flood", 11n))).toBe(true);
    expect(f.add(m("flood", 12n))).toBe(true);
    expect(f.add(m("flood", 12n))).toBe(false); // its share is full…
    expect(f.add(m("honest", 11n))).toBe(true); // …and nobody else's is touched
    expect(f.take(11n).map((x) => x.from)).toEqual(["flood", "honest"]);
    expect(f.size).toBe(1);
    f.dropPeer("flood");
    expect(f.size).toBe(0);
  });
});
