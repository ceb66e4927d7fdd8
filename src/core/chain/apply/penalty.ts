import type { JailReason } from "../slashing-state.js";
import type { EvidenceKey } from "./evidence.js";

/**
 * What a block did to one validator (issue 15), returned by applyBlock/buildBlock so the node can publish
 * `slash` and `jail` events and metrics without diffing state.
 */
export interface Penalty {
  /** Consensus address. */
  validator: Uint8Array;
  reason: JailReason;
  /** Height of the double-signed votes, or of the missed block that crossed the downtime threshold. */
  infractionHeight: bigint;
  /** Tokens burned (bonded stake and qualifying unbonding entries). */
  burned: bigint;
  /** First height at which `unjail` is accepted (2^64−1 when tombstoned). */
  jailedUntil: bigint;
  tombstoned: boolean;
  /** The infraction, for double-sign. */
  evidence?: EvidenceKey;
}
