import { indexOfValidator, isQuorum, type ValidatorSet } from "../core/chain/validator-set.js";
import type { Commit, SignedVote } from "../core/chain/vote.js";
import { bytesEqual, toHex } from "../core/codec/index.js";

/**
 * Precommits of the height this node just committed, while it waits out the commit wait (DESIGN.md §4):
 * - a late precommit for the committed block at the commit's round is added to the commit, so the next
 *   block's `lastCommit` names every validator that voted in time for the commit wait (rewards and missed-
 *   vote counts rely on it);
 * - precommits from more than 2/3 of the power for ANOTHER block at this height mean a second commit: at
 *   least 1/3 of the power signed two conflicting blocks. The node cannot tell which chain is canonical, so
 *   the caller halts consensus loudly instead of going on (DESIGN.md §4 "Two commits for one height").
 *
 * The engine has left the height (step `commit`) and ignores these votes; the driver feeds them here after
 * checking their signatures against the height's validator set. Pure: no clock, no I/O.
 */
export type CommitWatchResult =
  | { kind: "extended"; commit: Commit }
  | { kind: "conflict"; height: bigint; round: number; ours: string; theirs: string }
  | null;

export type CommitWatch = ReturnType<typeof createCommitWatch>;

export function createCommitWatch() {
  let current:
    | {
        commit: Commit;
        set: ValidatorSet;
        /** Power per (round, block hash) for blocks other than ours, with who counted. */
        others: Map<string, { power: bigint; voters: Set<number> }>;
      }
    | undefined;

  return {
    /** The node committed `commit` (decided or synced) with `set` the validator set of that height. */
    committed(commit: Commit, set: ValidatorSet): void {
      current = { commit: { ...commit, signatures: [...commit.signatures] }, set, others: new Map() };
    },
    /** The commit wait is over (the next height started): later precommits are not this module's. */
    close(): void {
      current = undefined;
    },
    /** The watched commit with the late precommits added so far, or null. */
    get commit(): Commit | null {
      return current ? current.commit : null;
    },
    /** The height whose precommits are watched, or null. */
    get height(): bigint | null {
      return current ? current.commit.height : null;
    },
    /** Takes a signature-checked precommit of the watched height. */
    onPrecommit(sv: SignedVote): CommitWatchResult {
      const c = current;
      const v = sv.vote;
      if (!c || v.type !== "precommit" || v.height !== c.commit.height || v.blockHash === null) return null;
      const i = indexOfValidator(c.set, v.validator);
      if (i < 0) return null;
      if (bytesEqual(v.blockHash, c.commit.blockHash)) {
        if (v.round !== c.commit.round) return null;
        if (c.commit.signatures.some((s) => bytesEqual(s.validator, v.validator))) return null;
        // Kept in validator-set order, as the engine builds commits.
        const sigs = [...c.commit.signatures, { validator: v.validator, signature: sv.signature }];
        sigs.sort((a, b) => indexOfValidator(c.set, a.validator) - indexOfValidator(c.set, b.validator));
        c.commit = { ...c.commit, signatures: sigs };
        return { kind: "extended", commit: c.commit };
      }
      const key = `${v.round}/${toHex(v.blockHash)}`;
      const tally = c.others.get(key) ?? { power: 0n, voters: new Set<number>() };
      c.others.set(key, tally);
      if (tally.voters.has(i)) return null;
      tally.voters.add(i);
      tally.power += c.set.validators[i]?.power ?? 0n;
      if (!isQuorum(tally.power, c.set.totalPower)) return null;
      return {
        kind: "conflict",
        height: v.height,
        round: v.round,
        ours: toHex(c.commit.blockHash),
        theirs: toHex(v.blockHash),
      };
    },
  };
}
