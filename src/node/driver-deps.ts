import type { PublishEvent } from "../core/api/events.js";
import type { State } from "../core/chain/state.js";
import type { Tx } from "../core/chain/tx.js";
import type { Commit } from "../core/chain/vote.js";
import type { EquivocateKind } from "./byzantine.js";
import type { EvidencePool } from "./evidence-pool.js";
import type { Logger } from "./logger.js";
import type { Mempool } from "./mempool.js";
import type { Metrics } from "./metrics.js";
import type { Transport } from "./p2p/transport.js";
import type { Signer } from "./signer.js";
import type { Store } from "./store.js";
import type { Wal } from "./wal.js";

/** What the driver runs on: built and owned by the composition root (create-node.ts). */
export interface DriverDeps {
  state: State;
  /** The commit of the block at `state.height` (null at genesis): the next block's lastCommit. */
  lastCommit: Commit | null;
  store: Store;
  signer: Signer | null;
  /** Consensus address of this node's validator key, or null for a full node. */
  self: Uint8Array | null;
  wal: Wal;
  mempool: Mempool<Tx>;
  transport: Transport;
  logger: Logger;
  metrics: Metrics;
  publish: PublishEvent;
  now: () => bigint;
  signal: AbortSignal;
  /** Most txs in a block this node proposes (node config `mempool.maxBlockTxs`); default the chain's max. */
  maxBlockTxs?: number;
  /** Called just before this node sends a proposal (the node flushes queued tx gossip ahead of it). */
  beforePropose?: () => void;
  /** Asks tx gossip to admit these txs (hex hashes) first: a proposal being assembled waits for them. */
  expediteTxs?: (hashes: string[]) => void;
  /** Idle mode: longest wait for work before an empty block (node config `consensus.emptyBlocksIntervalMs`; 0 = off). */
  emptyBlocksIntervalMs?: number;
  /** After each block is committed (decided or synced): e.g. the state snapshot writer (issue 17). */
  onCommitted?: (state: State) => void;
  /** Most bytes of txs in one `blockTxs` frame (default 1 MiB). */
  maxFrameBytes?: number;
  /** The persisted evidence pool (opened by the composition root against `state`). */
  evidencePool: EvidencePool;
  /** SECURITY: byzantine test mode (node/byzantine.ts); absent on every real node. */
  byzantine?: { equivocate: EquivocateKind; split?: boolean; sign(signBytes: Uint8Array): Uint8Array };
}
