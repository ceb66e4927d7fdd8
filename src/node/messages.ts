import { MAX_BLOCK_TXS_WIRE } from "../core/chain/block.js";
import {
  CommitCodec,
  EvidenceCodec,
  SignedProposalCodec,
  SignedVoteCodec,
  VoteCodec,
} from "../core/chain/vote.js";
import { bytes, fixedBytes, struct, u32, u64, vector } from "../core/codec/index.js";
import { FIRST_APP_FRAME } from "./p2p/transport.js";
import { MAX_LINKS } from "./relay-links.js";

/**
 * Application frames on the p2p transport (DESIGN.md §5): `type ‖ codec payload`, never JSON.
 * Synced blocks travel as their canonical bytes (decoded and validated by the receiver); proposals normally
 * travel compact (the block without its txs, plus their hashes: see CompactProposalMsgCodec).
 */
export const MSG = {
  proposal: FIRST_APP_FRAME,
  vote: FIRST_APP_FRAME + 1,
  tx: FIRST_APP_FRAME + 2,
  status: FIRST_APP_FRAME + 3,
  blockRequest: FIRST_APP_FRAME + 4,
  blockResponse: FIRST_APP_FRAME + 5,
  txs: FIRST_APP_FRAME + 6,
  txAnnounce: FIRST_APP_FRAME + 7,
  txRequest: FIRST_APP_FRAME + 8,
  compactProposal: FIRST_APP_FRAME + 9,
  blockTxsRequest: FIRST_APP_FRAME + 10,
  blockTxs: FIRST_APP_FRAME + 11,
  evidence: FIRST_APP_FRAME + 12,
  // State sync (issue 17).
  snapshotsRequest: FIRST_APP_FRAME + 13,
  snapshots: FIRST_APP_FRAME + 14,
  chunkRequest: FIRST_APP_FRAME + 15,
  chunk: FIRST_APP_FRAME + 16,
  // Relay only where needed (relay-links.ts).
  links: FIRST_APP_FRAME + 17,
  // Votes held, announced so a conflicting one is found (driver.ts, "Equivocation without relays").
  haveVotes: FIRST_APP_FRAME + 18,
} as const;

/** A proposal with its block (canonical block bytes). */
export const ProposalMsgCodec = struct({ proposal: SignedProposalCodec, block: bytes(8 << 20) });
/**
 * A proposal whose block travels without its txs: the block's canonical bytes with an empty tx list, and
 * the txs' hashes in order (packed, 32 bytes each; their Merkle root is the signed header's txRoot).
 * PERF: validators already hold nearly every tx of a proposal in their mempool (decoded, hashed and
 * verified), so they take them from there and fetch only the missing ones (`blockTxsRequest`).
 */
export const CompactProposalMsgCodec = struct({
  proposal: SignedProposalCodec,
  skeleton: bytes(1 << 20),
  txHashes: bytes(32 * MAX_BLOCK_TXS_WIRE),
});
/** Asks a peer for some txs (by index) of a block it proposed or relayed. */
export const BlockTxsRequestCodec = struct({
  blockHash: fixedBytes(32),
  indices: vector(u32, MAX_BLOCK_TXS_WIRE),
});
/** The answer to a `blockTxsRequest`: canonical tx bytes for the given indices (maybe split over frames). */
export const BlockTxsCodec = struct({
  blockHash: fixedBytes(32),
  indices: vector(u32, MAX_BLOCK_TXS_WIRE),
  txs: vector(bytes(64 * 1024), MAX_BLOCK_TXS_WIRE),
});
export const VoteMsgCodec = SignedVoteCodec;
/** Most votes announced in one `haveVotes` frame. */
export const MAX_HAVE_VOTES = 4096;
/**
 * The votes (unsigned: what they are for, not the signature) the sender holds for `height`, one per
 * validator, round and type; a receiver holding a different one for the same slot sends it back.
 */
export const HaveVotesMsgCodec = struct({
  height: u64,
  votes: vector(VoteCodec, MAX_HAVE_VOTES),
  /** Signed proposals the sender took in since its last announcement: a receiver holding a conflicting one has evidence at once. */
  proposals: vector(SignedProposalCodec, 64),
});
/** What a node hears first-hand (relay-links.ts): validator addresses, and node ids it drops frames to. */
export const LinksMsgCodec = struct({
  linked: vector(fixedBytes(20), MAX_LINKS),
  impaired: vector(fixedBytes(20), MAX_LINKS),
});
export const TxMsgCodec = struct({ tx: bytes(64 * 1024) });
/** Most txs gossiped in one `txs` frame. */
export const MAX_TX_BATCH = 1000;
/**
 * Tx gossip: canonical tx bytes, many per frame. PERF: one frame (one ws write) per peer per flush instead
 * of one per tx; the receiver hashes the bytes (= the tx hash) before decoding, so duplicates cost a hash.
 */
export const TxsMsgCodec = struct({ txs: vector(bytes(64 * 1024), MAX_TX_BATCH) });
/** Most tx hashes in one `txAnnounce` or `txRequest` frame. */
export const MAX_TX_HASHES = 2000;
/**
 * Tx hashes a node has (`txAnnounce`) or wants (`txRequest`): 32-byte SHA-256 hashes packed back to back.
 * PERF: one byte string, not a vector, so a frame of N hashes decodes without N allocations.
 */
export const TxHashesMsgCodec = struct({ hashes: bytes(32 * MAX_TX_HASHES) });
/** Frame types of tx gossip (routed to the gossip module; what the `dropTxGossip` fault drops). */
export const TX_GOSSIP_TYPES: readonly number[] = [MSG.tx, MSG.txs, MSG.txAnnounce, MSG.txRequest];

/** 32-byte hashes packed back to back (the form `txAnnounce`, `txRequest` and compact proposals carry). */
export function packHashes(hashes: readonly Uint8Array[]): Uint8Array {
  const packed = new Uint8Array(hashes.length * 32);
  for (let i = 0; i < hashes.length; i++) packed.set(hashes[i] as Uint8Array, i * 32);
  return packed;
}

/** The hashes of a packed list (views into it), or null when its length is not a multiple of 32. */
export function unpackHashes(packed: Uint8Array): Uint8Array[] | null {
  if (packed.length % 32 !== 0) return null;
  const out: Uint8Array[] = [];
  for (let at = 0; at < packed.length; at += 32) out.push(packed.subarray(at, at + 32));
  return out;
}

/**
 * `items` in order, cut into runs of at most `maxCount` items and `maxBytes` bytes (by `size`; a single item
 * larger than `maxBytes` goes alone): what fits in one frame each.
 */
export function splitByBytes<T>(
  items: readonly T[],
  maxCount: number,
  maxBytes: number,
  size: (item: T) => number,
): T[][] {
  const out: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (run.length && (run.length >= maxCount || bytes + n > maxBytes)) {
      out.push(run);
      run = [];
      bytes = 0;
    }
    run.push(item);
    bytes += n;
  }
  if (run.length) out.push(run);
  return out;
}

/** A node's committed height, sent on connect and periodically so lagging peers know to sync. */
export const StatusMsgCodec = struct({ height: u64 });
export const BlockRequestCodec = struct({ from: u64, count: u32 });
/** Blocks with the commit that decided each (block h is proved by its commit, not by block h+1). */
export const BlockResponseCodec = struct({
  blocks: vector(struct({ block: bytes(8 << 20), commit: CommitCodec }), 64),
});

/** Most blocks sent in one response. */
export const MAX_SYNC_BATCH = 32;

/** Most evidence items in one `evidence` frame. */
export const MAX_EVIDENCE_BATCH = 16;
/** Evidence gossip (issue 15): items checked by the receiver before it keeps or relays them. */
export const EvidenceMsgCodec = struct({ items: vector(EvidenceCodec, MAX_EVIDENCE_BATCH) });
/** Frame types of state sync (routed to node/snapshot/service.ts and the state-sync client). */
export const SNAPSHOT_TYPES: readonly number[] = [
  MSG.snapshotsRequest,
  MSG.snapshots,
  MSG.chunkRequest,
  MSG.chunk,
];
/** Most manifests a peer offers in one `snapshots` frame (its newest). */
export const MAX_OFFERED_SNAPSHOTS = 8;
/** `snapshotsRequest` has an empty payload; the answer lists encoded manifests (`core/chain/snapshot.ts`). */
export const SnapshotsMsgCodec = struct({ manifests: vector(bytes(2 << 20), MAX_OFFERED_SNAPSHOTS) });
export const ChunkRequestCodec = struct({ height: u64, index: u32 });
/** One chunk (empty `data`: the peer does not have it). */
export const ChunkMsgCodec = struct({ height: u64, index: u32, data: bytes(16 << 20) });
