import { describe, expect, it } from "vitest";
import { voteSignBytes } from "../../../src/core/chain/commit.js";
import type { SignedVote } from "../../../src/core/chain/vote.js";
import { encode } from "../../../src/core/codec/index.js";
import { createConsensusState } from "../../../src/core/consensus/index.js";
import { sign } from "../../../src/core/crypto/index.js";
import { createBlockSync } from "../../../src/node/block-sync.js";
import { createInbox } from "../../../src/node/consensus-inbox.js";
import { createFutureBuffer } from "../../../src/node/future-buffer.js";
import { MSG, VoteMsgCodec } from "../../../src/node/messages.js";
import { createProposalAssembly } from "../../../src/node/proposal-assembly.js";
import { devChain } from "../../helpers/chain.js";

/**
 * The consensus inbox with its real collaborators (future buffer, block sync, proposal assembly); only the
 * network's outputs are recorded. Pins the order of frames from different peers, which a devnet cannot.
 */
const chain = devChain(4);
const state = chain.state;

function harness() {
  const banned: string[] = [];
  const accepted: SignedVote[] = [];
  const relayed: number[] = [];
  const cs = createConsensusState({
    height: state.height + 1n,
    validators: state.validatorSet,
    self: null,
    timeouts: state.params.timeouts,
  });
  const misbehave = (peer: string) => banned.push(peer);
  const sync = createBlockSync({
    height: () => state.height,
    store: { blockByHeight: async () => undefined, commitAt: async () => undefined },
    send: () => {},
    misbehave,
    applySynced: async () => {},
    onAdvanced: () => {},
    busy: () => false,
    now: () => 0,
    log: { info: () => {}, warn: () => {} },
  });
  const assembly = createProposalAssembly({
    mempoolGet: () => undefined,
    send: () => {},
    misbehave,
    later: () => {},
    onFetch: () => {},
    complete: () => {},
  });
  const inbox = createInbox({
    cs: () => cs,
    state: () => state,
    seen: new Set(),
    heldBlock: () => undefined,
    future: createFutureBuffer({ perPeer: 4, window: 4n }),
    sync,
    assembly,
    relay: (_signer, type) => relayed.push(type),
    onLinks: () => {},
    onHaveVotes: () => {},
    send: () => {},
    misbehave,
    acceptProposal: () => {},
    acceptVote: (sv) => accepted.push(sv),
    acceptEvidence: () => {},
    logError: (obj, msg) => {
      throw new Error(`${msg}: ${JSON.stringify(obj)}`);
    },
    maxFrameBytes: 1 << 20,
  });
  return { inbox, banned, accepted, relayed };
}

function prevote(i: number, height = state.height + 1n): SignedVote {
  const k = chain.consensus[i] as { secretKey: Uint8Array; address: Uint8Array };
  const vote = { type: "prevote" as const, height, round: 0, blockHash: null, validator: k.address };
  return { vote, signature: sign(k.secretKey, voteSignBytes(state.chainId, vote)) };
}

describe("consensus inbox", () => {
  it("a forged copy of a vote (bad signature) bans its sender and does not shadow the real vote", () => {
    const h = harness();
    const real = prevote(2);
    const forged = { ...real, signature: new Uint8Array(64).fill(7) };
    h.inbox.onMessage("forger", MSG.vote, encode(VoteMsgCodec, forged));
    expect(h.banned).toEqual(["forger"]);
    expect(h.accepted).toEqual([]);
    h.inbox.onMessage("honest", MSG.vote, encode(VoteMsgCodec, real));
    expect(h.accepted).toHaveLength(1);
    expect(h.relayed).toEqual([MSG.vote]);
    // The real vote again (from every other peer) is not verified or relayed twice.
    h.inbox.onMessage("other", MSG.vote, encode(VoteMsgCodec, real));
    expect(h.accepted).toHaveLength(1);
    expect(h.banned).toEqual(["forger"]);
  });

  it("drops far-future votes unchecked and bans a forged one inside the buffered window", () => {
    const h = harness();
    for (let i = 0; i < 4; i++)
      for (const v of [prevote(i, state.height + 2n), prevote(i, state.height + 3n)])
        h.inbox.onMessage("flooder", MSG.vote, encode(VoteMsgCodec, v));
    expect(h.banned).toEqual([]);
    const far = prevote(1, state.height + 1000n);
    h.inbox.onMessage("flooder", MSG.vote, encode(VoteMsgCodec, { ...far, signature: new Uint8Array(64) }));
    expect(h.banned).toEqual([]); // beyond the window: dropped unchecked (block sync catches up)
    const near = prevote(1, state.height + 2n);
    h.inbox.onMessage("flooder", MSG.vote, encode(VoteMsgCodec, { ...near, signature: new Uint8Array(64) }));
    expect(h.banned).toEqual(["flooder"]);
  });
});
