/**
 * The node's event stream, WebSocket `/v1/events` (DESIGN.md §5), as one union discriminated by `type`.
 * Types only: the node publishes `NodeEvent` values, subscribers receive `NodeEventJson` (the same events
 * after `JSON.stringify` with bigints as decimal strings). Every event the node sends is listed here, so a
 * new one is a compile error on both sides until it is added.
 *
 * Encoding (DESIGN.md §2): heights and times are bigint at the node and decimal strings on the wire; hashes
 * and validator addresses are 0x-hex (consensus addresses, as in `/v1/consensus`, not fp1…).
 */
import type { VoteType } from "../chain/vote.js";
import type { Step } from "../consensus/types.js";
import type { Wire } from "./wire.js";

/** First message on every connection, sent to that subscriber only. */
export interface HelloEvent {
  type: "hello";
  height: bigint;
  chainId: string;
}

/** A block was committed. */
export interface NewBlockEvent {
  type: "newBlock";
  height: bigint;
  /** 0x-hex block hash. */
  hash: string;
  /** Header time, ms since the epoch. */
  time: bigint;
  txs: number;
  /** 0x-hex hashes of the block's txs (the first 20,000). */
  txHashes: string[];
  /** 0x-hex consensus address of the proposer. */
  proposer: string;
  /** Round in which the block was decided. */
  round: number;
  /** 0x-hex consensus addresses of the precommits in the block's commit. */
  signers: string[];
  /** From the start of the height to the commit, on this node. */
  latencyMs: number;
}

/** The consensus engine entered a new (height, round, step). */
export interface RoundStepEvent {
  type: "roundStep";
  height: bigint;
  round: number;
  step: Step;
}

/** A vote whose signature this node verified (its own votes included). */
export interface VoteEvent {
  type: "vote";
  height: bigint;
  round: number;
  voteType: VoteType;
  /** 0x-hex consensus address. */
  validator: string;
  /** 0x-hex block hash, or null for a vote for nil. */
  blockHash: string | null;
}

/** A tx was admitted to this node's mempool (from the API or from a peer). */
export interface TxEvent {
  type: "tx";
  /** 0x-hex tx hash. */
  hash: string;
}

/**
 * Evidence entered this node's pool (`status: "pending"`: detected here or gossiped by a peer) or was
 * committed in a block (`status: "committed"`, `committedAt` set).
 */
export interface EvidenceEvent {
  type: "evidence";
  /** Height of the infraction. */
  height: bigint;
  round: number;
  /** What was signed twice. */
  kind: "prevote" | "precommit" | "proposal";
  /** 0x-hex consensus address of the offender. */
  validator: string;
  status: "pending" | "committed";
  /** Block that carried it (committed only). */
  committedAt?: bigint;
}

/** A committed block burned part of a validator's stake (double-sign or downtime). */
export interface SlashEvent {
  type: "slash";
  /** Block that applied the penalty. */
  height: bigint;
  /** 0x-hex consensus address. */
  validator: string;
  reason: "double-sign" | "downtime";
  infractionHeight: bigint;
  /** Tokens burned. */
  amount: bigint;
}

/** A committed block jailed a validator (out of the active set from the next height). */
export interface JailEvent {
  type: "jail";
  height: bigint;
  /** 0x-hex consensus address. */
  validator: string;
  reason: "double-sign" | "downtime";
  /** First height `tx unjail` is accepted; null when tombstoned (never). */
  jailedUntil: bigint | null;
  tombstoned: boolean;
}

/** A committed `unjail` tx: the validator returns to the set at the next epoch. */
export interface UnjailEvent {
  type: "unjail";
  height: bigint;
  /** 0x-hex consensus address. */
  validator: string;
}

/** Every event the node sends on `/v1/events`, as the node builds it. */
export type NodeEvent =
  | HelloEvent
  | NewBlockEvent
  | RoundStepEvent
  | VoteEvent
  | TxEvent
  | EvidenceEvent
  | SlashEvent
  | JailEvent
  | UnjailEvent;

/** The `type` values, for `/v1/events?types=newBlock,vote`. */
export type NodeEventType = NodeEvent["type"];

/** The node-side event with this `type`, e.g. `EventOf<"newBlock">` for a component that publishes only it. */
export type EventOf<T extends NodeEventType> = Extract<NodeEvent, { type: T }>;

/** One event as a subscriber receives it (bigints as decimal strings). */
export type NodeEventJson = Wire<NodeEvent>;

/** The wire form of the event with this `type`, e.g. `EventJsonOf<"newBlock">`. */
export type EventJsonOf<T extends NodeEventType> = Extract<NodeEventJson, { type: T }>;

/**
 * How node components hand an event to the subscribers (the driver, the mempool admission path). The
 * implementation serialises with bigints as decimal strings, which is what makes `NodeEventJson` true.
 */
export type PublishEvent = (event: NodeEvent) => void;
