import { encode, fixedBytes, struct, u64, type ValueOf, vector } from "../codec/index.js";
import { sha256 } from "../crypto/index.js";

/**
 * The active validator set as consensus sees it (DESIGN.md §3): voting power = bonded stake; proposer
 * priority weight = power × workWeight (fixed point, 10000 = 1.0). Proposer selection is CometBFT's
 * weighted round robin, entirely in bigint, with a deterministic tie-break on the lower address.
 */
export interface ValidatorInfo {
  address: Uint8Array;
  publicKey: Uint8Array;
  power: bigint;
  workWeight: bigint;
}

export interface ValidatorSet {
  /** Sorted by address (bytewise), so every node indexes validators identically. */
  readonly validators: readonly ValidatorInfo[];
  readonly totalPower: bigint;
  /** Proposer priorities, parallel to `validators`, at the start of the next height. */
  readonly priorities: readonly bigint[];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Builds a set (priorities start at 0, as at genesis). Validators with zero power are left out. */
export function createValidatorSet(validators: ValidatorInfo[]): ValidatorSet {
  const sorted = validators.filter((v) => v.power > 0n).sort((a, b) => compareBytes(a.address, b.address));
  return {
    validators: sorted,
    totalPower: sorted.reduce((s, v) => s + v.power, 0n),
    priorities: sorted.map(() => 0n),
  };
}

/** Index of a validator by address, or -1. */
export function indexOfValidator(set: ValidatorSet, address: Uint8Array): number {
  let lo = 0;
  let hi = set.validators.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareBytes((set.validators[mid] as ValidatorInfo).address, address);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The set without `addresses`, the others keeping their proposer priorities (a jailed validator leaves the
 * set at the next height: see apply/end-block.ts). The same set object if none of them is in it.
 */
export function withoutValidators(set: ValidatorSet, addresses: readonly Uint8Array[]): ValidatorSet {
  const drop = new Set(addresses.map((a) => indexOfValidator(set, a)).filter((i) => i >= 0));
  if (drop.size === 0) return set;
  const keep = set.validators.map((_, i) => i).filter((i) => !drop.has(i));
  const validators = keep.map((i) => set.validators[i] as ValidatorInfo);
  return {
    validators,
    totalPower: validators.reduce((s, v) => s + v.power, 0n),
    priorities: keep.map((i) => set.priorities[i] as bigint),
  };
}

/** Whether two sets have the same members (sets are sorted by address, so in the same order). */
export function sameMembers(a: ValidatorSet, b: ValidatorSet): boolean {
  return (
    a.validators.length === b.validators.length &&
    a.validators.every((v, i) => compareBytes(v.address, (b.validators[i] as ValidatorInfo).address) === 0)
  );
}

/** Proposer weight: power × workWeight; if every validator has workWeight 0, plain power. */
function weights(set: ValidatorSet): bigint[] {
  const w = set.validators.map((v) => v.power * v.workWeight);
  return w.some((x) => x > 0n) ? w : set.validators.map((v) => v.power);
}

/** Floor division for bigints (JS `/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * Advances proposer priorities by `times` rounds of the weighted round robin and returns the new set and
 * the proposer of the last round. CometBFT: first rescale so max−min ≤ 2·total weight, then centre on 0;
 * each round adds every weight, picks the max (lower address wins ties) and subtracts the total from it.
 */
export function incrementPriorities(
  set: ValidatorSet,
  times: number,
): { set: ValidatorSet; proposer: number } {
  const w = weights(set);
  const total = w.reduce((s, x) => s + x, 0n);
  let p = [...set.priorities];
  if (p.length === 0 || total === 0n) return { set, proposer: -1 };
  // Rescale (bounds the spread so new and old validators stay comparable).
  let max = p[0] as bigint;
  let min = max;
  for (const x of p) {
    if (x > max) max = x;
    if (x < min) min = x;
  }
  const diffMax = 2n * total;
  if (max - min > diffMax) {
    const ratio = (max - min + diffMax - 1n) / diffMax;
    p = p.map((x) => x / ratio);
  }
  // Centre around zero.
  const avg = floorDiv(
    p.reduce((s, x) => s + x, 0n),
    BigInt(p.length),
  );
  p = p.map((x) => x - avg);
  let proposer = 0;
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < p.length; i++) p[i] = (p[i] as bigint) + (w[i] as bigint);
    proposer = 0;
    for (let i = 1; i < p.length; i++) if ((p[i] as bigint) > (p[proposer] as bigint)) proposer = i;
    p[proposer] = (p[proposer] as bigint) - total;
  }
  return { set: { ...set, priorities: p }, proposer };
}

/**
 * The proposer for `round` of the height whose starting priorities are in `set` (round 0 = one increment).
 * Pure: the same (set, round) always gives the same proposer on every node.
 */
export function proposerFor(set: ValidatorSet, round: number): ValidatorInfo {
  let known = proposerMemo.get(set);
  if (!known) {
    known = [];
    proposerMemo.set(set, known);
  }
  const hit = known[round];
  if (hit) return hit;
  const { proposer } = incrementPriorities(set, round + 1);
  const v = set.validators[proposer] as ValidatorInfo;
  if (round < PROPOSER_MEMO_ROUNDS) known[round] = v;
  return v;
}

/**
 * PERF: proposers already computed per set (sets are immutable values), by round. Every node asks for the
 * same (set, round) on every proposal and round start; each answer costs O(validators · round) bigint steps.
 * A pure cache: the answer does not depend on it.
 */
const proposerMemo = new WeakMap<ValidatorSet, ValidatorInfo[]>();
const PROPOSER_MEMO_ROUNDS = 64;

/** Priorities for the next height: one round-robin step per committed height, whatever its round. */
export function advanceHeight(set: ValidatorSet): ValidatorSet {
  return incrementPriorities(set, 1).set;
}

/** A set's hash-relevant fields (no priorities): what headers commit to, and what the set history stores. */
export const ValidatorHashListCodec = vector(
  struct({ address: fixedBytes(20), publicKey: fixedBytes(32), power: u64, workWeight: u64 }),
  1000,
);
export type ValidatorHashEntry = ValueOf<typeof ValidatorHashListCodec>[number];

/** Hash of the set's membership, keys, powers and workWeights (not priorities): headers commit to it. */
export function hashValidatorSet(set: ValidatorSet): Uint8Array {
  return sha256(
    encode(
      ValidatorHashListCodec,
      set.validators.map((v) => ({
        address: v.address,
        publicKey: v.publicKey,
        power: v.power,
        workWeight: v.workWeight,
      })),
    ),
  );
}

/** `3·power > 2·total` in integers (DESIGN.md §4): more than two thirds. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return 3n * power > 2n * total;
}

/** `3·power > total`: more than one third (f+1), enough to guarantee one honest validator. */
export function isOneThird(power: bigint, total: bigint): boolean {
  return 3n * power > total;
}
