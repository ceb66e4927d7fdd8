import { describe, expect, it } from "vitest";
import {
  applyBlock,
  encodeBlock,
  hashBlock,
  type State,
  verifyCommit,
} from "../../../src/core/chain/index.js";
import { CommitCodec } from "../../../src/core/chain/vote.js";
import { decode, encode } from "../../../src/core/index.js";
import { createBlockSync } from "../../../src/node/block-sync.js";
import { BlockRequestCodec, BlockResponseCodec, MSG } from "../../../src/node/messages.js";
import { buildChain, devChain } from "../../helpers/chain.js";

const chain = devChain(4);
const { blocks, commits } = buildChain(
  chain,
  Array.from({ length: 80 }, () => []),
);

/**
 * A node at genesis syncing from peers that serve `blocks` (the real chain): real commit verification and
 * block execution, a virtual clock, and the frames it sends recorded.
 */
function harness() {
  let state: State = chain.state;
  let clock = 0;
  const sent: { peer: string; type: number; payload: Uint8Array }[] = [];
  const banned: string[] = [];
  let advanced = 0;
  const sync = createBlockSync({
    height: () => state.height,
    store: { blockByHeight: async () => undefined, commitAt: async () => undefined },
    send: (peer, type, payload) => sent.push({ peer, type, payload }),
    misbehave: (peer) => banned.push(peer),
    async applySynced(block, _bytes, commit) {
      verifyCommit(commit, state.validatorSet, state.chainId, {
        height: block.header.height,
        blockHash: hashBlock(block),
      });
      state = applyBlock(state, block).state;
    },
    onAdvanced: () => {
      advanced++;
    },
    busy: () => false,
    now: () => clock,
    log: { info: () => {}, warn: () => {} },
  });
  const requests = () =>
    sent
      .filter((s) => s.type === MSG.blockRequest)
      .map((s) => ({ peer: s.peer, ...decode(BlockRequestCodec, s.payload) }));
  const answer = (from: bigint, count: number, commitFor = (i: number) => commits[i]!) => {
    const items = [];
    for (let h = from; h < from + BigInt(count) && h <= BigInt(blocks.length); h++) {
      const i = Number(h) - 1;
      items.push({
        block: encodeBlock(blocks[i]!),
        commit: decode(CommitCodec, encode(CommitCodec, commitFor(i))),
      });
    }
    return encode(BlockResponseCodec, { blocks: items });
  };
  return {
    sync,
    sent,
    banned,
    requests,
    answer,
    height: () => state.height,
    advanced: () => advanced,
    tick: (ms: number) => {
      clock += ms;
      sync.tick();
    },
  };
}

describe("block sync", () => {
  it("spreads windows over the peers that claim more", () => {
    const h = harness();
    h.sync.noteHeight("a", 80n);
    h.sync.onStatus("b", 80n);
    h.tick(2_500); // a's windows time out (one strike) and go to the peers in turn
    expect(new Set(h.requests().map((r) => r.peer))).toEqual(new Set(["a", "b"]));
  });

  it("asks peers that claim more, several windows at once, and applies what they deliver in order", async () => {
    const h = harness();
    h.sync.onStatus("a", 80n);
    h.sync.onStatus("b", 80n);
    const reqs = h.requests();
    // Pipelined: consecutive windows in flight at once.
    expect(reqs.map((r) => r.from).slice(0, 2)).toEqual([1n, 33n]);
    // The later window arrives first: kept until its turn.
    await h.sync.onBlockResponse(reqs[1]!.peer, h.answer(33n, 32));
    expect(h.height()).toBe(0n);
    await h.sync.onBlockResponse(reqs[0]!.peer, h.answer(1n, 32));
    expect(h.height()).toBe(64n);
    expect(h.advanced()).toBeGreaterThan(0);
    for (const r of h.requests().filter((x) => x.from > 64n))
      await h.sync.onBlockResponse(r.peer, h.answer(r.from, r.count));
    expect(h.height()).toBe(80n);
    expect(h.sync.syncing).toBe(false);
    expect(h.banned).toEqual([]);
  });

  it("does not believe a height claim the peer never proves: strikes, then bans it (issue 24 item 2)", async () => {
    const h = harness();
    h.sync.onStatus("liar", 2n ** 64n - 1n);
    expect(h.sync.syncing).toBe(true); // until disproven
    for (let i = 0; i < 3; i++) {
      h.tick(2_500); // the request times out
      h.sync.onStatus("liar", 2n ** 64n - 1n); // and it repeats the claim
    }
    expect(h.banned).toEqual(["liar"]);
    h.sync.onPeerDisconnected("liar"); // the ban closes the link
    expect(h.sync.syncing).toBe(false);
    // An honest peer is then used, and the node catches up.
    h.sync.onStatus("honest", 40n);
    for (let n = 0; n < 4 && h.height() < 40n; n++)
      for (const r of h.requests().filter((x) => x.peer === "honest" && x.from > h.height()))
        await h.sync.onBlockResponse("honest", h.answer(r.from, Math.min(r.count, 41 - Number(r.from))));
    expect(h.height()).toBe(40n);
  });

  it("forgets a peer's claim when it disconnects", () => {
    const h = harness();
    h.sync.onStatus("a", 50n);
    expect(h.sync.syncing).toBe(true);
    h.sync.onPeerDisconnected("a");
    expect(h.sync.syncing).toBe(false);
  });

  it("bans a peer whose block comes with a commit that does not verify, and applies nothing of it", async () => {
    const h = harness();
    h.sync.onStatus("bad", 10n);
    const r = h.requests()[0]!;
    const forged = (i: number) => ({ ...commits[i]!, signatures: commits[i]!.signatures.slice(0, 2) });
    await h.sync.onBlockResponse("bad", h.answer(r.from, 10, forged));
    expect(h.height()).toBe(0n);
    expect(h.banned).toEqual(["bad"]);
  });

  it("throws on a malformed response from a peer it asked (the caller bans it) and ignores unsolicited well-formed ones", async () => {
    const h = harness();
    await h.sync.onBlockResponse("stranger", h.answer(1n, 2)); // well-formed, but nobody asked: ignored
    expect(h.height()).toBe(0n);
    expect(() => h.sync.onBlockResponse("stranger", new Uint8Array([1, 2, 3]))).toThrow();
    h.sync.onStatus("a", 10n);
    expect(() => h.sync.onBlockResponse("a", new Uint8Array([1, 2, 3]))).toThrow();
  });
});
