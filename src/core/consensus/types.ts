import type { Timeouts } from "../chain/params.js";
import type { ValidatorSet } from "../chain/validator-set.js";
import type { Commit, Evidence, Proposal, SignedProposal, SignedVote, Vote } from "../chain/vote.js";
import type { VoteSet } from "./vote-set.js";

/**
 * Engine inputs and outputs (DESIGN.md §4). The node (or the simulator) feeds events and executes effects;
 * the engine itself never signs, sends, sleeps or reads a clock.
 */
export type Step = "propose" | "prevote" | "precommit" | "commit";
export type TimeoutKind = "propose" | "prevote" | "precommit";

export type ConsensusEvent =
  /** Start a height (after the previous block is committed and the commit wait is over). */
  | { type: "newHeight"; height: bigint; validators: ValidatorSet }
  /**
   * A proposal whose signature the driver checked, with the paper's valid(v): the driver re-executed the
   * proposed block against its state (DESIGN.md §3). The proposer is checked here.
   */
  | { type: "proposal"; proposal: SignedProposal; valid: boolean }
  /** A vote whose signature the driver checked. */
  | { type: "vote"; vote: SignedVote }
  | { type: "timeout"; kind: TimeoutKind; height: bigint; round: number }
  /** Answer to `requestValue`: the block this proposer built. */
  | { type: "valueReady"; height: bigint; round: number; blockHash: Uint8Array };

export type ConsensusEffect =
  | { type: "requestValue"; height: bigint; round: number }
  /** Sign (through the double-sign guard) and broadcast; then feed it back as a `proposal` event. */
  | { type: "propose"; proposal: Proposal }
  /** Sign (through the double-sign guard) and broadcast; then feed it back as a `vote` event. */
  | { type: "vote"; vote: Vote }
  | { type: "scheduleTimeout"; kind: TimeoutKind; height: bigint; round: number; durationMs: number }
  | { type: "decide"; height: bigint; round: number; blockHash: Uint8Array; commit: Commit }
  /** A validator signed two conflicting votes, or a proposer two conflicting proposals (reported once). */
  | { type: "evidence"; evidence: Evidence }
  | { type: "roundStep"; height: bigint; round: number; step: Step };

export interface RoundState {
  /** The round's proposal, its valid(v) and its value (the block hash as 0x-hex). */
  readonly proposal?: { signed: SignedProposal; valid: boolean; value: string } | undefined;
  readonly prevotes: VoteSet;
  readonly precommits: VoteSet;
}

export interface ConsensusState {
  readonly height: bigint;
  readonly round: number;
  readonly step: Step;
  readonly validators: ValidatorSet;
  /** This node's validator address, or null for a non-voting full node. */
  readonly self: Uint8Array | null;
  readonly timeouts: Timeouts;
  /** Hex hash or null; -1 = none (the paper's ⊥). */
  readonly lockedValue: string | null;
  readonly lockedRound: number;
  readonly validValue: string | null;
  readonly validRound: number;
  readonly rounds: ReadonlyMap<number, RoundState>;
  /** Rules that fire "for the first time" per round: L34, L36, L47, as `ruleId(line, round)`. */
  readonly fired: ReadonlySet<number>;
  readonly decided: { round: number; blockHash: string } | null;
  /** Offenders already reported, so each conflict yields evidence once. */
  readonly reported: ReadonlySet<string>;
}
