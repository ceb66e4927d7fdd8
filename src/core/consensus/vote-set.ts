import { indexOfValidator, type ValidatorInfo, type ValidatorSet } from "../chain/validator-set.js";
import type { DuplicateVoteEvidence, SignedVote } from "../chain/vote.js";
import { bytesEqual, toHex } from "../codec/index.js";

/**
 * Votes of one (height, round, type), immutable to its users: `addVote` returns a new set and never changes
 * what an older set shows. Each validator counts at most once: an exact duplicate is ignored, a conflicting
 * second vote is NOT counted and yields duplicate-vote evidence (DESIGN.md §4).
 *
 * PERF: a set is a view of the first `count` entries of an append-only log shared by the set's versions.
 * Adding to the newest version appends in place, O(1) (copying the per-validator array made every vote
 * O(validators): 2·n² copies per height and node, the simulator's main cost at 100 validators). Adding to
 * an older version (a state the caller kept and stepped again) copies its prefix into a new log first, so
 * versions never see each other's additions.
 */
export interface VoteSet {
  /** How many log entries this version holds. */
  readonly count: number;
  /** Power per value: 0x-hex block hash, or "nil". */
  readonly power: ReadonlyMap<string, bigint>;
  /** Power of every validator that voted here (any value). */
  readonly total: bigint;
  /** @internal the shared log; read votes through `voteAt` and `votesIn`. */
  readonly log: VoteLog;
}

/** @internal */
export interface VoteLog {
  readonly entries: SignedVote[];
  /** Validator index → position of its (first) vote in `entries`, or -1. */
  readonly position: Int32Array;
}

export const NIL = "nil";

/** Last index found per address object: one vote object reaches every node (PERF: no binary search). */
const indexCache = new WeakMap<Uint8Array, number>();

/**
 * `indexOfValidator`, answered from the index last found for this address object when the set has these
 * very bytes there (addresses are unique in a set, so a byte match is the answer).
 */
export function validatorIndex(validators: ValidatorSet, address: Uint8Array): number {
  const hint = indexCache.get(address);
  if (hint !== undefined) {
    const v = validators.validators[hint];
    if (v && (v.address === address || bytesEqual(v.address, address))) return hint;
  }
  const i = indexOfValidator(validators, address);
  if (i >= 0) indexCache.set(address, i);
  return i;
}

/** Hex of each block hash seen, by identity: one vote object reaches every node (PERF: no re-encoding). */
const hexCache = new WeakMap<Uint8Array, string>();

/** The tally key of a vote's value. */
export function valueKey(blockHash: Uint8Array | null): string {
  if (!blockHash) return NIL;
  let hex = hexCache.get(blockHash);
  if (hex === undefined) {
    hex = toHex(blockHash);
    hexCache.set(blockHash, hex);
  }
  return hex;
}

export function emptyVoteSet(size: number): VoteSet {
  return {
    count: 0,
    power: new Map(),
    total: 0n,
    log: { entries: [], position: new Int32Array(size).fill(-1) },
  };
}

/** The vote of validator `index` in this set, if any. */
export function voteAt(set: VoteSet, index: number): SignedVote | undefined {
  const pos = set.log.position[index];
  return pos !== undefined && pos >= 0 && pos < set.count ? set.log.entries[pos] : undefined;
}

/** The set's votes, in the order they were added. */
export function votesIn(set: VoteSet): readonly SignedVote[] {
  return set.log.entries.slice(0, set.count);
}

export type AddVoteResult =
  | { kind: "added"; set: VoteSet }
  | { kind: "duplicate" }
  | { kind: "unknown-validator" }
  | { kind: "conflict"; evidence: DuplicateVoteEvidence };

function sameValue(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null || b === null ? a === b : a === b || bytesEqual(a, b);
}

/** A log of its own holding this version's entries only (the version is not the newest). */
function forkLog(set: VoteSet): VoteLog {
  const entries = set.log.entries.slice(0, set.count);
  const position = new Int32Array(set.log.position.length).fill(-1);
  set.log.position.forEach((p, i) => {
    if (p >= 0 && p < set.count) position[i] = p;
  });
  return { entries, position };
}

export function addVote(set: VoteSet, validators: ValidatorSet, sv: SignedVote): AddVoteResult {
  const i = validatorIndex(validators, sv.vote.validator);
  if (i < 0) return { kind: "unknown-validator" };
  const prev = voteAt(set, i);
  if (prev) {
    if (sameValue(prev.vote.blockHash, sv.vote.blockHash)) return { kind: "duplicate" };
    return { kind: "conflict", evidence: { a: prev, b: sv } };
  }
  const log = set.log.entries.length === set.count ? set.log : forkLog(set);
  log.position[i] = log.entries.length;
  log.entries.push(sv);
  const key = valueKey(sv.vote.blockHash);
  const power = new Map(set.power);
  const p = (validators.validators[i] as ValidatorInfo).power;
  power.set(key, (power.get(key) ?? 0n) + p);
  return { kind: "added", set: { count: set.count + 1, power, total: set.total + p, log } };
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
