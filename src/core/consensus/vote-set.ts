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
  /** Power of every validator that voted here (any value). */
  readonly total: bigint;
  /** @internal the shared log; read votes through `voteAt` and `votesIn`. */
  readonly log: VoteLog;
}

/** @internal */
export interface VoteLog {
  readonly entries: SignedVote[];
  /** The voting power of each entry's validator. */
  readonly powers: bigint[];
  /** Validator index → position of its (first) vote in `entries`, or -1. */
  readonly position: Int32Array;
  /**
   * Power per value (0x-hex block hash, or "nil") over ALL entries: the newest version's tally. An older
   * version sums its own prefix instead (rare: only a caller that steps an old state again).
   */
  readonly tally: Map<string, bigint>;
}

export const NIL = "nil";

/**
 * Last index found per address object, and the validator list it was found in: one vote object reaches
 * every node (PERF: no binary search), and nodes of one height share one list.
 */
const indexCache = new WeakMap<Uint8Array, { list: readonly ValidatorInfo[]; index: number }>();

/**
 * `indexOfValidator`, answered from the index last found for this address object: at once when the set
 * has the very list it was found in (sets are immutable values), else when the set has these bytes there
 * (addresses are unique in a set, so a byte match is the answer). PERF: after an epoch boundary the set's
 * addresses are other objects than the ones votes carry, so the byte check ran for every vote.
 */
export function validatorIndex(validators: ValidatorSet, address: Uint8Array): number {
  const list = validators.validators;
  const hint = indexCache.get(address);
  if (hint !== undefined) {
    if (hint.list === list) return hint.index;
    const v = list[hint.index];
    if (v && (v.address === address || bytesEqual(v.address, address))) {
      hint.list = list;
      return hint.index;
    }
  }
  const i = indexOfValidator(validators, address);
  if (i >= 0) indexCache.set(address, { list, index: i });
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
    total: 0n,
    log: { entries: [], powers: [], position: new Int32Array(size).fill(-1), tally: new Map() },
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
  const powers = set.log.powers.slice(0, set.count);
  return { entries, powers, position, tally: tallyOf(entries, powers, set.count) };
}

export function addVote(set: VoteSet, validators: ValidatorSet, sv: SignedVote): AddVoteResult {
  const i = validatorIndex(validators, sv.vote.validator);
  if (i < 0) return { kind: "unknown-validator" };
  return addVoteAt(set, validators, i, sv, valueKey(sv.vote.blockHash));
}

/**
 * `addVote` for a caller that already looked up the voter's index in `validators` and the vote's
 * `valueKey` (PERF: the engine needs both before adding; each look-up is a WeakMap read).
 */
export function addVoteAt(
  set: VoteSet,
  validators: ValidatorSet,
  i: number,
  sv: SignedVote,
  key: string,
): AddVoteResult {
  const prev = voteAt(set, i);
  if (prev) {
    if (sameValue(prev.vote.blockHash, sv.vote.blockHash)) return { kind: "duplicate" };
    return { kind: "conflict", evidence: { a: prev, b: sv } };
  }
  const log = set.log.entries.length === set.count ? set.log : forkLog(set);
  const p = (validators.validators[i] as ValidatorInfo).power;
  log.position[i] = log.entries.length;
  log.entries.push(sv);
  log.powers.push(p);
  log.tally.set(key, (log.tally.get(key) ?? 0n) + p);
  return { kind: "added", set: { count: set.count + 1, total: set.total + p, log } };
}

function tallyOf(
  entries: readonly SignedVote[],
  powers: readonly bigint[],
  count: number,
): Map<string, bigint> {
  const tally = new Map<string, bigint>();
  for (let k = 0; k < count; k++) {
    const key = valueKey((entries[k] as SignedVote).vote.blockHash);
    tally.set(key, (tally.get(key) ?? 0n) + (powers[k] as bigint));
  }
  return tally;
}

/** Power per value of this version: the log's tally when it is the newest, else summed from its prefix. */
function powersOf(set: VoteSet): ReadonlyMap<string, bigint> {
  return set.count === set.log.entries.length
    ? set.log.tally
    : tallyOf(set.log.entries, set.log.powers, set.count);
}

/** Power voting for one value ("nil" or hex hash). */
export function powerFor(set: VoteSet | undefined, key: string): bigint {
  return set ? (powersOf(set).get(key) ?? 0n) : 0n;
}

/** The value (hex or "nil") with more than 2/3 of `totalPower`, if any. */
export function quorumValue(set: VoteSet | undefined, totalPower: bigint): string | undefined {
  if (!set) return undefined;
  for (const [key, p] of powersOf(set)) if (3n * p > 2n * totalPower) return key;
  return undefined;
}
