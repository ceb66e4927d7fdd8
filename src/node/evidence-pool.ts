/**
 * Evidence this node detected (duplicate votes), waiting to be carried in a block it proposes (DESIGN.md
 * §4). De-duplicated by (validator, height, round, type), bounded, and filtered against the state before
 * each proposal so a stale item (its validator left the set) or an early one (detected at the height being
 * decided, which a block may carry only once that height is committed) never makes this node's block
 * invalid (issue 24 item 10; issue 15 builds the persisted, gossiped pool and the penalties on this).
 */
import { validateEvidence } from "../core/chain/apply/evidence.js";
import type { State } from "../core/chain/state.js";
import type { DuplicateVoteEvidence } from "../core/chain/vote.js";
import { toHex } from "../core/codec/index.js";
import { isFastposError } from "../core/errors.js";

/** Most evidence items carried in one block, and kept waiting. */
export const MAX_BLOCK_EVIDENCE = 16;
const MAX_PENDING = 256;
const MAX_COMMITTED_REMEMBERED = 4096;

/** One key per infraction: a validator's conflicting votes at one (height, round, type). */
export function evidenceKey(e: DuplicateVoteEvidence): string {
  const v = e.a.vote;
  return `${toHex(v.validator)}/${v.height}/${v.round}/${v.type}`;
}

export type EvidencePool = ReturnType<typeof createEvidencePool>;

export function createEvidencePool() {
  const pending = new Map<string, DuplicateVoteEvidence>();
  const committed = new Set<string>();

  return {
    /** Adds newly detected evidence; false if it is known (pending or committed) or the pool is full. */
    add(e: DuplicateVoteEvidence): boolean {
      const key = evidenceKey(e);
      if (pending.has(key) || committed.has(key) || pending.size >= MAX_PENDING) return false;
      pending.set(key, e);
      return true;
    },

    /**
     * What a block built on `state` can carry: items valid against it now. Items that can never become
     * valid are dropped; items from a height not yet committed wait.
     */
    forBlock(state: State): DuplicateVoteEvidence[] {
      const out: DuplicateVoteEvidence[] = [];
      for (const [key, e] of pending) {
        if (out.length >= MAX_BLOCK_EVIDENCE) break;
        if (e.a.vote.height > state.height) continue;
        try {
          validateEvidence(state, e);
          out.push(e);
        } catch (err) {
          if (!isFastposError(err)) throw err;
          pending.delete(key);
        }
      }
      return out;
    },

    /** A block was committed: its evidence is never proposed again. */
    onCommitted(evidence: readonly DuplicateVoteEvidence[]): void {
      for (const e of evidence) {
        const key = evidenceKey(e);
        pending.delete(key);
        committed.add(key);
        if (committed.size > MAX_COMMITTED_REMEMBERED)
          committed.delete(committed.values().next().value as string);
      }
    },

    get size(): number {
      return pending.size;
    },
  };
}
