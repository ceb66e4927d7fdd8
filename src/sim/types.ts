import type { Block, Commit, State } from "../core/chain/index.js";
import type { Evidence, SignedProposal, SignedVote } from "../core/chain/vote.js";
import type { ConsensusEvent, ConsensusState } from "../core/consensus/index.js";
import type { Behaviour } from "./config.js";
import type { History } from "./history.js";

/**
 * The simulator's internal shapes: messages on the virtual wire, the per-node state a real node keeps
 * (engine, chain, WAL, double-sign guard, future buffer, evidence pool), and scheduled events.
 */

/** A consensus message on the wire. A proposal carries its block (the node gossips them together). */
export type Msg = (
  | { kind: "proposal"; from: number; height: bigint; round: number; signed: SignedProposal; block: Block }
  | { kind: "vote"; from: number; height: bigint; round: number; signed: SignedVote }
) & { memo?: MsgMemo };

/**
 * What the simulator learnt about one message object, kept on it (PERF: a field read per delivery instead
 * of WeakMap look-ups; a vote reaches every node). Valid only while `owner` is the message itself: a
 * message copied with a spread (a byzantine twin) carries the memo along but is not its owner.
 */
export interface MsgMemo {
  readonly owner: object;
  /** Which nodes hold the message (any copy): relays skip them. */
  holders?: Uint8Array;
  /** The one WAL record every receiver of a vote logs (records are never changed). */
  record?: WalRecord;
  /** The signature verdict (checked once, whoever receives it first). */
  signatureOk?: boolean;
}

/** One own message and, per peer, 0 = not delivered, 1 = in flight, 2 = delivered (gossip re-sends 0s). */
export interface Outgoing {
  msg: Msg;
  state: Uint8Array;
  pending: number;
  /** Extra delay of every send (the `late` behaviour). */
  delayMs: number;
  /** Peers that must not get it (the `withhold` behaviour, equivocation halves). */
  skip?: (peer: number) => boolean;
  /** The author sent it to some peers only: honest receivers relay it to the others (gossip). */
  selective?: boolean;
}

/** One consensus-WAL record: the input and, for proposals and built values, the block it names. */
export interface WalRecord {
  event: ConsensusEvent;
  block?: Block;
}

export interface SimNode {
  id: number;
  address: Uint8Array;
  addressHex: string;
  publicKey: Uint8Array;
  alive: boolean;
  /** Bumped at each crash, so timers set before it are ignored. */
  incarnation: number;
  engine: ConsensusState;
  chain: State;
  lastCommit: Commit | null;
  /** Blocks of the current height by 0x-hash (from proposals and own building). */
  blocks: Map<string, Block>;
  /** Committed blocks and their commits, index = height − 1 (what block sync serves). */
  history: History;
  wal: WalRecord[];
  walHeight: bigint;
  /** The WAL being replayed after a restart (null otherwise). */
  replay: WalRecord[] | null;
  /** Double-sign guard, persisted across crashes: "h/r/kind" → value and signature. */
  signed: Map<string, { value: string; signature: Uint8Array }>;
  /** Conflicting signatures the guard refused (an honest engine must never ask for one). */
  refused: number;
  own: Outgoing[];
  /** Future-height messages per sending peer. */
  future: Map<number, Msg[]>;
  evidence: Map<string, Evidence>;
  behaviours: Behaviour[];
  heightStart: number;
  /** Messages of the current height this node relayed (each once). */
  relayed: Set<Msg>;
  syncing: boolean;
  /** Virtual time before which no new sync request is sent. */
  nextSyncAt: number;
}

export type Scheduled =
  | { at: number; type: "msg"; to: number; out: Outgoing | null; msg: Msg }
  | { at: number; type: "timeout"; to: number; inc: number; event: ConsensusEvent }
  | { at: number; type: "newHeight"; to: number; inc: number; height: bigint }
  | { at: number; type: "gossip" }
  | { at: number; type: "load" }
  | { at: number; type: "fault"; index: number }
  | { at: number; type: "syncReq"; to: number; from: number; height: bigint }
  | {
      at: number;
      type: "syncResp";
      to: number;
      from: number;
      items: { block: Block; commit: Commit }[];
    };

/** A line of the NDJSON trace (`--trace`): the `watch` reducer's actions plus the simulator's own. */
export type TraceLine = { type: string; at: number } & Record<string, unknown>;
