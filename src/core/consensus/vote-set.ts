import { indexOfValidator, type ValidatorInfo, type ValidatorSet } from "../chain/validator-set.js";
import type { DuplicateVoteEvidence, SignedVote } from "../chain/vote.js";
import { bytesEqual, toHex } from "../codec/index.js";

/**
 * Votes of one (height, round, type), immutable: `addVote` returns a new set (copy-on-write, O(n) in the
 * number of validators). Each validator counts at most once: an exact duplicate is ignored, a conflicting
 * second vote is NOT counted and yields duplicate-vote evidence (DESIGN.md §4).
 */
export interface VoteSet {
  /** Signed votes by validator index. */
  readonly votes: readonly (SignedVote | undefined)[];
  /** Power per value: 0x-hex block hash, or "nil". */
  readonly power: ReadonlyMap<string, bigint>;
  /** Power of every validator that voted here (any value). */
  readonly total: bigint;
}

export const NIL = "nil";

/** The tally key of a vote's value. */
export function valueKey(blockHash: Uint8Array | null): string {
  return blockHash ? toHex(blockHash) : NIL;
}

export function emptyVoteSet(size: number): VoteSet {
  return { votes: new Array<SignedVote | undefined>(size).fill(undefined), power: new Map(), total: 0n };
}

export type AddVoteResult =
  | { kind: "added"; set: VoteSet }
  | { kind: "duplicate" }
  | { kind: "unknown-validator" }
  | { kind: "conflict"; evidence: DuplicateVoteEvidence };

function sameValue(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null ? a === b : bytesEqual(a, b);
}

export function addVote(set: VoteSet, validators: ValidatorSet, sv: SignedVote): AddVoteResult {
  const i = indexOfValidator(validators, sv.vote.validator);
  if (i < 0) return { kind: "unknown-validator" };
  const prev = set.votes[i];
  if (prev) {
    if (sameValue(prev.vote.blockHash, sv.vote.blockHash)) return { kind: "duplicate" };
    return { kind: "conflict", evidence: { a: prev, b: sv } };
  }
  const votes = [...set.votes];
  votes[i] = sv;
  const key = valueKey(sv.vote.blockHash);
  const power = new Map(set.power);
  const p = (validators.validators[i] as ValidatorInfo).power;
  power.set(key, (power.get(key) ?? 0n) + p);
  return { kind: "added", set: { votes, power, total: set.total + p } };
}

/** Power voting for one value ("nil" or hex hash). */
export function powerFor(set: VoteSet | undefined, key: string): bigint {
  return set?.power.get(key) ?? 0n;
}

/** The value (hex or "nil") with more than 2/3 of `totalPower`, if any. */
export function quorumValue(set: VoteSet | undefined, totalPower: bigint): string | undefined {
  if (!set) return undefined;
  for (const [key, p] of set.power) if (3n * p > 2n * totalPower) return key;
  return undefined;
}
