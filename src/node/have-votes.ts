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
import type { SignedVote, Vote } from "../core/chain/vote.js";
import { bytesEqual, bytesToString } from "../core/codec/index.js";
import { MAX_HAVE_VOTES } from "./messages.js";

export interface HaveVotesDeps {
  /** Sends a `haveVotes` announcement to one peer, or to every peer (null). */
  announce(peer: string | null, height: bigint, votes: Vote[]): void;
  /** Sends one signed vote to a peer. */
  sendVote(peer: string, sv: SignedVote): void;
}

const slotOf = (v: Vote) => `${bytesToString(v.validator, "latin1")}/${v.round}/${v.type}`;
const sameValue = (a: Vote, b: Vote) =>
  a.blockHash === null || b.blockHash === null
    ? a.blockHash === b.blockHash
    : bytesEqual(a.blockHash, b.blockHash);

export function createHaveVotes(deps: HaveVotesDeps) {
  let height = 0n;
  /** The first verified vote of each slot at `height`. */
  const slots = new Map<string, SignedVote>();
  /** Votes not announced yet. */
  let queued: Vote[] = [];
  /** "peer slot" pairs already answered at `height`. */
  const answered = new Set<string>();

  const inChunks = (votes: Vote[], send: (chunk: Vote[]) => void) => {
    for (let i = 0; i < votes.length; i += MAX_HAVE_VOTES) send(votes.slice(i, i + MAX_HAVE_VOTES));
  };

  return {
    /** A new height: nothing of the last one is announced or answered any more. */
    reset(h: bigint): void {
      height = h;
      slots.clear();
      queued = [];
      answered.clear();
    },

    /** A verified vote of the current height (received or this node's own). */
    noteVote(sv: SignedVote): void {
      if (sv.vote.height !== height) return;
      const k = slotOf(sv.vote);
      if (slots.has(k)) return; // a second one for the slot: the engine reports it as evidence itself
      slots.set(k, sv);
      queued.push(sv.vote);
    },

    /** Each tick: announces what arrived since the last one. */
    tick(): void {
      if (queued.length === 0) return;
      const votes = queued;
      queued = [];
      inChunks(votes, (chunk) => deps.announce(null, height, chunk));
    },

    /** A new peer gets every vote of the height held so far. */
    connected(peer: string): void {
      if (slots.size === 0) return;
      inChunks(
        [...slots.values()].map((sv) => sv.vote),
        (chunk) => deps.announce(peer, height, chunk),
      );
    },

    /** A peer's announcement: each slot where this node holds a different vote gets that vote sent back. */
    onHave(peer: string, h: bigint, votes: Vote[]): void {
      if (h !== height) return;
      for (const v of votes) {
        const k = slotOf(v);
        const mine = slots.get(k);
        if (!mine || sameValue(mine.vote, v)) continue;
        const key = `${peer} ${k}`;
        if (answered.has(key)) continue;
        answered.add(key);
        deps.sendVote(peer, mine);
      }
    },
  };
}

export type HaveVotes = ReturnType<typeof createHaveVotes>;
