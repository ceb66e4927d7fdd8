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

interface HeightVotes {
  height: bigint;
  /** The first verified vote of each slot. */
  slots: Map<string, SignedVote>;
  /** "peer slot" pairs already answered. */
  answered: Set<string>;
}

const emptyHeight = (height: bigint): HeightVotes => ({ height, slots: new Map(), answered: new Set() });

export function createHaveVotes(deps: HaveVotesDeps) {
  /**
   * The current height's votes, and the previous height's: a height can end before the next tick, so its
   * last votes are announced as it ends and answered by peers that have moved on to the next one too.
   */
  let cur = emptyHeight(0n);
  let prev = emptyHeight(-1n);
  /** Votes of `cur` not announced yet. */
  let queued: Vote[] = [];

  const inChunks = (votes: Vote[], send: (chunk: Vote[]) => void) => {
    for (let i = 0; i < votes.length; i += MAX_HAVE_VOTES) send(votes.slice(i, i + MAX_HAVE_VOTES));
  };

  return {
    /** A new height: what is left of the last one is announced now; it is answered one height longer. */
    reset(h: bigint): void {
      if (queued.length) inChunks(queued, (chunk) => deps.announce(null, cur.height, chunk));
      queued = [];
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

    /** Each tick: announces what arrived since the last one. */
    tick(): void {
      if (queued.length === 0) return;
      const votes = queued;
      queued = [];
      inChunks(votes, (chunk) => deps.announce(null, cur.height, chunk));
    },

    /** A new peer gets every vote of the height held so far. */
    connected(peer: string): void {
      if (cur.slots.size === 0) return;
      inChunks(
        [...cur.slots.values()].map((sv) => sv.vote),
        (chunk) => deps.announce(peer, cur.height, chunk),
      );
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
    onHave(peer: string, h: bigint, votes: Vote[]): void {
      const at = h === cur.height ? cur : h === prev.height ? prev : null;
      if (!at) return;
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
