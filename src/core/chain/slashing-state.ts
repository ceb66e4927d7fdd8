import {
  bool,
  concatBytes,
  decode,
  encode,
  enumOf,
  option,
  struct,
  u32,
  u64,
  type ValueOf,
  vector,
} from "../codec/index.js";
import type { StateTree } from "./state-tree.js";
import {
  createValidatorSet,
  type ValidatorHashEntry,
  ValidatorHashListCodec,
  type ValidatorSet,
} from "./validator-set.js";
import { Address20, EvidenceKindCodec } from "./vote.js";

/**
 * Slashing state (DESIGN.md §3, issue 15), all in the state tree so the state root commits to it and the
 * node persists it with each block like any other key:
 *
 *   0x05 ‖ u64 startHeight          → the validator set (address, key, power, workWeight) in force from
 *                                     startHeight until the next entry: evidence is checked against the set
 *                                     of its infraction height. Written only when the set changes.
 *   0x06 ‖ consensus address        → SlashingInfo (missed blocks in the window, jail, tombstone, slashed)
 *   0x07 ‖ consensus address ‖ u32  → one 1024-bit chunk of the missed-blocks ring (bit = height mod window)
 *   0x00 ‖ "setHistory"             → start heights of the stored sets, ascending
 *   0x00 ‖ "evidence"               → committed evidence keys, kept until the evidence expires
 *   0x00 ‖ "burned"                 → total tokens burned by slashing (supply + burned is conserved)
 */

/** Fractions are basis points: 10000 = 100%. */
export const BPS = 10_000n;
/** Largest `signedBlocksWindow` genesis accepts (≤ 977 bitmap chunks per validator). */
export const MAX_SIGNED_BLOCKS_WINDOW = 1_000_000;
/** Bits per missed-blocks chunk: a validator that misses a block rewrites 128 bytes, not its whole window. */
export const MISSED_CHUNK_BITS = 1024;

export const JailReasonCodec = enumOf(["downtime", "double-sign"] as const);
export type JailReason = ValueOf<typeof JailReasonCodec>;

export const SlashingInfoCodec = struct({
  /** Blocks missed in the current window (= set bits in the validator's ring). */
  missed: u32,
  /** First height at which `unjail` is accepted (0: never jailed). */
  jailedUntil: u64,
  /** Double-signed: jailed for ever, never unjailed, never slashed again. */
  tombstoned: bool,
  /** Tokens burned from this validator's stake and its unbonding entries, in total. */
  slashed: u64,
  /** Why it is (or was last) jailed; null after an unjail. */
  jailReason: option(JailReasonCodec),
});
export type SlashingInfo = ValueOf<typeof SlashingInfoCodec>;

/** One committed infraction: a validator's conflicting votes (or proposals) at (height, round, type). */
export const CommittedEvidenceCodec = struct({
  validator: Address20,
  height: u64,
  round: u32,
  type: EvidenceKindCodec,
  /** Height of the block that carried it. */
  committedAt: u64,
});
export type CommittedEvidence = ValueOf<typeof CommittedEvidenceCodec>;
export const CommittedEvidenceListCodec = vector(CommittedEvidenceCodec, 1_000_000);

const meta = (name: string) => concatBytes(new Uint8Array([0]), new TextEncoder().encode(name));
export const SET_HISTORY_INDEX_KEY = meta("setHistory");
export const EVIDENCE_INDEX_KEY = meta("evidence");
export const BURNED_KEY = meta("burned");
const HeightListCodec = vector(u64, 1_000_000);

/** Key of the validator set in force from `startHeight`. */
export const setHistoryKey = (startHeight: bigint): Uint8Array =>
  concatBytes(new Uint8Array([5]), encode(u64, startHeight));
/** Key of a validator's SlashingInfo. */
export const slashingInfoKey = (validator: Uint8Array): Uint8Array =>
  concatBytes(new Uint8Array([6]), validator);
/** Key of chunk `chunk` (bits chunk·1024 …) of a validator's missed-blocks ring. */
export const missedChunkKey = (validator: Uint8Array, chunk: number): Uint8Array =>
  concatBytes(new Uint8Array([7]), validator, encode(u32, chunk));

const NO_INFO: SlashingInfo = {
  missed: 0,
  jailedUntil: 0n,
  tombstoned: false,
  slashed: 0n,
  jailReason: null,
};

/** A validator's slashing record (all zero if it was never slashed, jailed or absent). */
export function readSlashingInfo(tree: StateTree, validator: Uint8Array): SlashingInfo {
  const raw = tree.get(slashingInfoKey(validator));
  return raw ? decode(SlashingInfoCodec, raw) : NO_INFO;
}

/** Writes a slashing record; an all-zero record is deleted, so untouched validators cost no state. */
export function writeSlashingInfo(tree: StateTree, validator: Uint8Array, info: SlashingInfo): StateTree {
  const empty =
    info.missed === 0 &&
    info.jailedUntil === 0n &&
    !info.tombstoned &&
    info.slashed === 0n &&
    info.jailReason === null;
  const key = slashingInfoKey(validator);
  return empty ? tree.delete(key) : tree.set(key, encode(SlashingInfoCodec, info));
}

/** Total tokens burned by slashing since genesis. */
export function readBurned(tree: StateTree): bigint {
  const raw = tree.get(BURNED_KEY);
  return raw ? decode(u64, raw) : 0n;
}

/** Adds to the burned total (slashing is the only thing that burns). */
export function addBurned(tree: StateTree, amount: bigint): StateTree {
  return amount === 0n ? tree : tree.set(BURNED_KEY, encode(u64, readBurned(tree) + amount));
}

/** Committed evidence keys, oldest commit first. */
export function readCommittedEvidence(tree: StateTree): CommittedEvidence[] {
  const raw = tree.get(EVIDENCE_INDEX_KEY);
  return raw ? decode(CommittedEvidenceListCodec, raw) : [];
}

/** Replaces the committed evidence keys (the key is deleted when none are left). */
export function writeCommittedEvidence(tree: StateTree, list: CommittedEvidence[]): StateTree {
  return list.length
    ? tree.set(EVIDENCE_INDEX_KEY, encode(CommittedEvidenceListCodec, list))
    : tree.delete(EVIDENCE_INDEX_KEY);
}

/** Start heights of the stored validator sets, ascending. */
export function readSetHistory(tree: StateTree): bigint[] {
  const raw = tree.get(SET_HISTORY_INDEX_KEY);
  return raw ? decode(HeightListCodec, raw) : [];
}

/** Replaces the start heights of the stored validator sets. */
export function writeSetHistory(tree: StateTree, starts: bigint[]): StateTree {
  return tree.set(SET_HISTORY_INDEX_KEY, encode(HeightListCodec, starts));
}

/** The set's hash-relevant fields (what headers commit to), as stored in the history. */
export function setEntries(set: ValidatorSet): ValidatorHashEntry[] {
  return set.validators.map((v) => ({
    address: v.address,
    publicKey: v.publicKey,
    power: v.power,
    workWeight: v.workWeight,
  }));
}

/** Stores `set` as the set in force from `startHeight` (no index update: see recordValidatorSet). */
export function putHistorySet(tree: StateTree, startHeight: bigint, set: ValidatorSet): StateTree {
  return tree.set(setHistoryKey(startHeight), encode(ValidatorHashListCodec, setEntries(set)));
}

/** A stored set (proposer priorities are not stored: they start at 0). */
export function readHistorySet(tree: StateTree, startHeight: bigint): ValidatorSet | undefined {
  const raw = tree.get(setHistoryKey(startHeight));
  return raw ? createValidatorSet(decode(ValidatorHashListCodec, raw)) : undefined;
}
