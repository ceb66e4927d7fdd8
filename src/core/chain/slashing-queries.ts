import { bytesEqual } from "../codec/index.js";
import { maxMissedBlocks } from "./apply/downtime.js";
import { type EvidenceKey, evidenceKeyOf } from "./apply/evidence.js";
import { validatorSetAt as setAt } from "./apply/set-history.js";
import {
  type CommittedEvidence,
  type JailReason,
  readBurned,
  readCommittedEvidence,
  readSlashingInfo,
} from "./slashing-state.js";
import { getValidator, type State } from "./state.js";
import type { ValidatorSet } from "./validator-set.js";
import type { Evidence } from "./vote.js";

/**
 * Read-only slashing queries for the node API (`query slashing V`, `query evidence`, `query validators`):
 * pure functions of the state, so every node answers the same at the same height.
 */

/** A validator's slashing status. */
export interface SlashingView {
  jailed: boolean;
  /** First height at which `unjail` is accepted; null when not jailed, or tombstoned (never). */
  jailedUntil: bigint | null;
  tombstoned: boolean;
  /** Why it is jailed (null when not jailed). */
  jailReason: JailReason | null;
  /** Blocks missed in the current window, the window, and how many misses jail it. */
  missedBlocks: number;
  signedBlocksWindow: number;
  maxMissedBlocks: bigint;
  /** Tokens burned from its stake and its unbonding entries, in total. */
  totalSlashed: bigint;
}

/** The slashing status of a validator (by consensus address); undefined for an unknown validator. */
export function slashingInfo(state: State, validator: Uint8Array): SlashingView | undefined {
  const v = getValidator(state, validator);
  if (!v) return undefined;
  const info = readSlashingInfo(state.tree, validator);
  const jailed = v.status === "jailed";
  return {
    jailed,
    jailedUntil: jailed && !info.tombstoned ? info.jailedUntil : null,
    tombstoned: info.tombstoned,
    jailReason: jailed ? info.jailReason : null,
    missedBlocks: info.missed,
    signedBlocksWindow: state.params.signedBlocksWindow,
    maxMissedBlocks: maxMissedBlocks(state.params),
    totalSlashed: info.slashed,
  };
}

/**
 * Committed evidence keys still remembered (until infraction height + evidenceMaxAgeBlocks), in commit
 * order: what makes a block re-including one invalid.
 */
export function committedEvidence(state: State): CommittedEvidence[] {
  return readCommittedEvidence(state.tree);
}

/** Whether the infraction `e` proves is already committed (and still remembered). */
export function isEvidenceCommitted(state: State, e: Evidence | EvidenceKey): boolean {
  const k = "value" in e ? evidenceKeyOf(e) : e;
  return readCommittedEvidence(state.tree).some(
    (c) =>
      c.height === k.height &&
      c.round === k.round &&
      c.type === k.type &&
      bytesEqual(c.validator, k.validator),
  );
}

/** Tokens burned by slashing since genesis: `totalSupply(state) + burnedSupply(state)` is constant. */
export function burnedSupply(state: State): bigint {
  return readBurned(state.tree);
}

/**
 * The validator set that signed blocks at `height` (proposer priorities not kept), as long as the history
 * covers it: at least the last evidenceMaxAgeBlocks heights. undefined beyond.
 */
export function validatorSetAt(state: State, height: bigint): ValidatorSet | undefined {
  return height > state.height + 1n ? undefined : setAt(state.tree, height);
}
