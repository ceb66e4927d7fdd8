/**
 * Equivocation without relays (issue 22, DESIGN.md §4 "Evidence"): since a vote is not relayed to peers that
 * hear its signer first-hand (relay-links.ts), a validator could send one vote to some peers and a
 * conflicting one to the others, and no honest node would hold both. So each node announces, once per tick,
 * the votes of the height it took in since the last announcement — what each is for, without signatures —
 * and a peer that holds a different signed vote for the same validator, round and type sends it back. The
 * announcer now holds both, its engine reports the double vote, and the evidence is gossiped to all.
 * In a full mesh every pair of nodes that hold conflicting votes compares them within a tick.
 *
 * Bounded: one vote per (validator, round, type) slot is kept per height; each slot is answered at most once
 * per peer and height, so a peer announcing made-up conflicts gets at most one vote per slot back.
 */
import { ProposalCodec, type SignedProposal, type SignedVote, type Vote } from "../core/chain/vote.js";
import { bytesEqual, bytesToString, encode } from "../core/codec/index.js";
import { MAX_HAVE_VOTES } from "./messages.js";

export interface HaveVotesDeps {
  /** Sends a `haveVotes` announcement to one peer, or to every peer (null). */
  announce(peer: string | null, height: bigint, votes: Vote[], proposals: SignedProposal[]): void;
  /** Sends one signed vote to a peer. */
  sendVote(peer: string, sv: SignedVote): void;
  /** Two signed proposals of one proposer for one height and round with different contents. */
  conflictingProposals(mine: SignedProposal, theirs: SignedProposal, from: string): void;
}

const slotOf = (v: Vote) => `${bytesToString(v.validator, "latin1")}/${v.round}/${v.type}`;
const sameValue = (a: Vote, b: Vote) =>
  a.blockHash === null || b.blockHash === null
    ? a.blockHash === b.blockHash
    : bytesEqual(a.blockHash, b.blockHash);

interface HeightVotes {
  height: bigint;
  /** The first verified vote of each slot. */
  slots: Map<string, SignedVote>;
  /** The first proposal of each round (its proposer is the round's). */
  proposals: Map<number, SignedProposal>;
  /** "peer slot" pairs already answered. */
  answered: Set<string>;
}

const emptyHeight = (height: bigint): HeightVotes => ({
  height,
  slots: new Map(),
  proposals: new Map(),
  answered: new Set(),
});
const sameProposal = (a: SignedProposal, b: SignedProposal) =>
  bytesEqual(encode(ProposalCodec, a.proposal), encode(ProposalCodec, b.proposal));
/** Most proposals one announcement carries (the codec's bound). */
const MAX_HAVE_PROPOSALS = 64;

export function createHaveVotes(deps: HaveVotesDeps) {
  /**
   * The current height's votes, and the previous height's: a height can end before the next tick, so its
   * last votes are announced as it ends and answered by peers that have moved on to the next one too.
   */
  let cur = emptyHeight(0n);
  let prev = emptyHeight(-1n);
  /** Votes and proposals of `cur` not announced yet. */
  let queued: Vote[] = [];
  let queuedProposals: SignedProposal[] = [];

  /** Announces `votes` and `proposals` of `height` to `peer` (null: all), in frames within the codec's bounds. */
  const send = (peer: string | null, height: bigint, votes: Vote[], proposals: SignedProposal[]) => {
    const frames = Math.max(
      1,
      Math.ceil(votes.length / MAX_HAVE_VOTES),
      Math.ceil(proposals.length / MAX_HAVE_PROPOSALS),
    );
    for (let f = 0; f < frames; f++)
      deps.announce(
        peer,
        height,
        votes.slice(f * MAX_HAVE_VOTES, (f + 1) * MAX_HAVE_VOTES),
        proposals.slice(f * MAX_HAVE_PROPOSALS, (f + 1) * MAX_HAVE_PROPOSALS),
      );
  };
  const flush = (peer: string | null, height: bigint) => {
    if (queued.length === 0 && queuedProposals.length === 0) return;
    send(peer, height, queued, queuedProposals);
    queued = [];
    queuedProposals = [];
  };

  return {
    /** A new height: what is left of the last one is announced now; it is answered one height longer. */
    reset(h: bigint): void {
      flush(null, cur.height);
      prev = cur;
      cur = emptyHeight(h);
    },

    /** A verified vote of the current height (received or this node's own). */
    noteVote(sv: SignedVote): void {
      if (sv.vote.height !== cur.height) return;
      const k = slotOf(sv.vote);
      if (cur.slots.has(k)) return; // a second one for the slot: the engine reports it as evidence itself
      cur.slots.set(k, sv);
      queued.push(sv.vote);
    },

    /** A verified proposal of the current height (received or this node's own). */
    noteProposal(sp: SignedProposal): void {
      const p = sp.proposal;
      if (p.height !== cur.height || cur.proposals.has(p.round)) return;
      cur.proposals.set(p.round, sp);
      queuedProposals.push(sp);
    },

    /** Each tick: announces what arrived since the last one. */
    tick(): void {
      flush(null, cur.height);
    },

    /** A new peer gets every vote of the height held so far. */
    connected(peer: string): void {
      if (cur.slots.size === 0 && cur.proposals.size === 0) return;
      const votes = [...cur.slots.values()].map((sv) => sv.vote);
      send(peer, cur.height, votes, [...cur.proposals.values()]);
    },

    /**
     * The vote this node holds that conflicts with `sv` (same validator, height, round and type, another
     * value), from this height or the last one; null if none. An answer to an announcement may arrive after
     * its height ended here: it still makes evidence.
     */
    conflicting(sv: SignedVote): SignedVote | null {
      const v = sv.vote;
      const at = v.height === cur.height ? cur : v.height === prev.height ? prev : null;
      const mine = at?.slots.get(slotOf(v));
      return mine && !sameValue(mine.vote, v) ? mine : null;
    },

    /** A peer's announcement: each slot where this node holds a different vote gets that vote sent back. */
    onHave(peer: string, h: bigint, votes: Vote[], proposals: SignedProposal[] = []): void {
      const at = h === cur.height ? cur : h === prev.height ? prev : null;
      if (!at) return;
      for (const theirs of proposals) {
        const mine = at.proposals.get(theirs.proposal.round);
        if (!mine || theirs.proposal.height !== h || sameProposal(mine, theirs)) continue;
        if (!bytesEqual(mine.proposal.proposer, theirs.proposal.proposer)) continue;
        deps.conflictingProposals(mine, theirs, peer);
      }
      for (const v of votes) {
        const k = slotOf(v);
        const mine = at.slots.get(k);
        if (!mine || mine.vote.height !== v.height || sameValue(mine.vote, v)) continue;
        const key = `${peer} ${k}`;
        if (at.answered.has(key)) continue;
        at.answered.add(key);
        deps.sendVote(peer, mine);
      }
    },
  };
}

export type HaveVotes = ReturnType<typeof createHaveVotes>;
