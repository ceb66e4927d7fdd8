import { describe, expect, it } from "vitest";
import type { SignedProposal, SignedVote, Vote } from "../../../src/core/chain/vote.js";
import { createHaveVotes } from "../../../src/node/have-votes.js";

const vote = (
  validator: number,
  blockHash: number | null,
  round = 0,
  type: Vote["type"] = "prevote",
): SignedVote => ({
  vote: {
    type,
    height: 5n,
    round,
    blockHash: blockHash === null ? null : new Uint8Array(32).fill(blockHash),
    validator: new Uint8Array(20).fill(validator),
  },
  signature: new Uint8Array(64).fill(blockHash ?? 0),
});

/** One node's announcer; what it announces and sends back is recorded. */
function node() {
  const announced: { peer: string | null; height: bigint; votes: Vote[] }[] = [];
  const sent: { peer: string; sv: SignedVote }[] = [];
  const conflicts: { mine: SignedProposal; theirs: SignedProposal; from: string }[] = [];
  const props: SignedProposal[][] = [];
  const have = createHaveVotes({
    announce: (peer, height, votes, proposals) => {
      announced.push({ peer, height, votes });
      props.push(proposals);
    },
    sendVote: (peer, sv) => sent.push({ peer, sv }),
    conflictingProposals: (mine, theirs, from) => conflicts.push({ mine, theirs, from }),
  });
  have.reset(5n);
  return { have, announced, sent, conflicts, props };
}

describe("have-votes announcements", () => {
  it("a conflicting vote held by a peer is sent back once; the same vote is not", () => {
    const a = node();
    const b = node();
    a.have.noteVote(vote(1, 0xaa));
    a.have.noteVote(vote(2, 0xcc));
    b.have.noteVote(vote(1, 0xbb)); // validator 1 told b something else
    b.have.noteVote(vote(2, 0xcc));
    a.have.tick();
    expect(a.announced).toHaveLength(1);
    const m = a.announced[0] as { height: bigint; votes: Vote[] };
    b.have.onHave("A", m.height, m.votes);
    expect(b.sent.map((x) => [x.peer, x.sv.vote.blockHash?.[0]])).toEqual([["A", 0xbb]]);
    b.have.onHave("A", m.height, m.votes); // asked again: answered once per slot and peer
    expect(b.sent).toHaveLength(1);
    b.have.onHave("C", m.height, m.votes);
    expect(b.sent).toHaveLength(2);
  });

  it("nil against a block is a conflict; another round or type is another slot", () => {
    const a = node();
    const b = node();
    a.have.noteVote(vote(1, null));
    a.have.noteVote(vote(2, 0xaa, 0, "prevote"));
    b.have.noteVote(vote(1, 0xaa));
    b.have.noteVote(vote(2, 0xbb, 1, "prevote"));
    b.have.noteVote(vote(2, 0xbb, 0, "precommit"));
    a.have.tick();
    b.have.onHave("A", 5n, (a.announced[0] as { votes: Vote[] }).votes);
    expect(b.sent.map((x) => x.sv.vote.validator[0])).toEqual([1]);
  });

  it("announces each vote once, only of its height; a new peer gets them all; a new height forgets", () => {
    const a = node();
    a.have.noteVote(vote(1, 0xaa));
    a.have.noteVote({ ...vote(3, 0xaa), vote: { ...vote(3, 0xaa).vote, height: 6n } });
    a.have.tick();
    a.have.tick(); // nothing new
    expect(a.announced.map((x) => x.votes.length)).toEqual([1]);
    a.have.noteVote(vote(1, 0xbb)); // second vote of a slot: the engine reports it, not announced
    a.have.noteVote(vote(2, 0xaa));
    a.have.tick();
    expect(a.announced.map((x) => x.votes.length)).toEqual([1, 1]);
    a.have.connected("D");
    expect(a.announced.at(-1)).toMatchObject({ peer: "D", height: 5n });
    expect(a.announced.at(-1)?.votes).toHaveLength(2);
    a.have.onHave("B", 4n, [vote(1, 0xcc).vote]); // another height: ignored
    expect(a.sent).toHaveLength(0);
    a.have.reset(6n);
    a.have.onHave("B", 6n, [vote(1, 0xcc).vote]);
    expect(a.sent).toHaveLength(0);
  });

  it("a height that ends before the tick announces its votes as it ends; its conflicts count one height on", () => {
    const a = node();
    a.have.noteVote(vote(1, 0xaa));
    a.have.reset(6n);
    expect(a.announced).toEqual([{ peer: null, height: 5n, votes: [vote(1, 0xaa).vote] }]);
    // An answer arriving at height 6 with validator 1's other vote of height 5:
    expect(a.have.conflicting(vote(1, 0xbb))?.vote.blockHash?.[0]).toBe(0xaa);
    expect(a.have.conflicting(vote(1, 0xaa))).toBeNull();
    expect(a.have.conflicting(vote(2, 0xbb))).toBeNull();
    // Still answered for height 5 (a peer a height behind), not for 4.
    a.have.onHave("B", 5n, [vote(1, 0xcc).vote]);
    expect(a.sent).toHaveLength(1);
    a.have.reset(7n);
    expect(a.have.conflicting(vote(1, 0xbb))).toBeNull();
  });

  it("a proposal of the same proposer and round with other contents is reported as a conflict, at once", () => {
    const proposal = (hash: number, round = 0, proposer = 9): SignedProposal => ({
      proposal: {
        height: 5n,
        round,
        blockHash: new Uint8Array(32).fill(hash),
        polRound: null,
        proposer: new Uint8Array(20).fill(proposer),
      },
      signature: new Uint8Array(64).fill(hash),
    });
    const a = node();
    const b = node();
    a.have.noteProposal(proposal(0xaa));
    a.have.noteProposal(proposal(0xcc)); // a second one of the round: the engine reports it itself
    b.have.noteProposal(proposal(0xbb));
    b.have.noteProposal(proposal(0xdd, 1));
    a.have.tick();
    expect(a.props[0]?.map((p) => p.proposal.blockHash[0])).toEqual([0xaa]);
    b.have.onHave("A", 5n, [], a.props[0] as SignedProposal[]);
    expect(
      b.conflicts.map((c) => [c.from, c.mine.proposal.blockHash[0], c.theirs.proposal.blockHash[0]]),
    ).toEqual([["A", 0xbb, 0xaa]]);
    b.have.onHave("A", 5n, [], [proposal(0xbb), proposal(0xee, 1, 8)]); // same one; another proposer
    expect(b.conflicts).toHaveLength(1);
  });
});
