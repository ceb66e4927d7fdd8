/**
 * The serving side of state sync (issue 17): writes a state snapshot every `interval` committed blocks
 * (keeping the newest `keep`), and answers peers' `snapshotsRequest` and `chunkRequest` frames.
 *
 * SECURITY: requests are bounded per peer — a token bucket of chunks per second (bursts of twice that),
 * and of manifest requests; a peer that keeps asking past its budget is reported as misbehaving (banned),
 * one that is merely fast is answered more slowly (requests over budget are dropped, and it asks again).
 */
import { encodeManifest, type SnapshotManifest } from "../../core/chain/snapshot.js";
import type { State } from "../../core/chain/state.js";
import { decode, encode } from "../../core/codec/index.js";
import {
  ChunkMsgCodec,
  ChunkRequestCodec,
  MAX_OFFERED_SNAPSHOTS,
  MSG,
  SnapshotsMsgCodec,
} from "../messages.js";
import { TokenBucket } from "../p2p/rate-limit.js";
import { pruneSnapshots, readChunk, readManifest, snapshotHeights, writeSnapshot } from "./files.js";

export interface SnapshotServiceDeps {
  dataDir: string;
  /** Blocks between snapshots (0: never write any; existing ones are still served). */
  interval: number;
  keep: number;
  chunkBytes: number;
  chunksPerSecondPerPeer: number;
  send(peer: string, type: number, payload: Uint8Array): void;
  misbehave(peer: string, reason: string): void;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Answers to this node's own requests (`snapshots`, `chunk`): the state-sync client, while it runs. */
  onAnswer?: (peer: string, type: number, payload: Uint8Array) => void;
}

/** Requests dropped over budget before a peer counts as misbehaving. */
const MAX_DROPPED = 200;

export function createSnapshotService(deps: SnapshotServiceDeps) {
  let manifests: SnapshotManifest[] = snapshotHeights(deps.dataDir)
    .slice(0, MAX_OFFERED_SNAPSHOTS)
    .map((h) => readManifest(deps.dataDir, h))
    .filter((m): m is SnapshotManifest => m !== null);
  let writing: bigint | null = null;
  const budgets = new Map<string, { chunks: TokenBucket; lists: TokenBucket; dropped: number }>();

  function budget(peer: string) {
    let b = budgets.get(peer);
    if (!b) {
      const rate = deps.chunksPerSecondPerPeer;
      b = { chunks: new TokenBucket(rate, rate * 2), lists: new TokenBucket(2, 4), dropped: 0 };
      budgets.set(peer, b);
    }
    return b;
  }

  function overBudget(peer: string, b: { dropped: number }): void {
    if (++b.dropped > MAX_DROPPED) deps.misbehave(peer, "state sync: too many requests over its budget");
  }

  async function serveChunk(peer: string, height: bigint, index: number): Promise<void> {
    const have = manifests.some((m) => m.height === height);
    const data = have ? await readChunk(deps.dataDir, height, index) : null;
    deps.send(peer, MSG.chunk, encode(ChunkMsgCodec, { height, index, data: data ?? new Uint8Array(0) }));
  }

  return {
    /** After every committed block: maybe write a snapshot (off the commit path). */
    onCommitted(state: State): void {
      if (deps.interval <= 0 || state.height % BigInt(deps.interval) !== 0n || writing !== null) return;
      writing = state.height;
      const started = performance.now();
      setImmediate(() => {
        writeSnapshot(deps.dataDir, state, deps.chunkBytes)
          .then((m) => {
            manifests = [m, ...manifests.filter((x) => x.height !== m.height)].slice(
              0,
              Math.min(deps.keep, MAX_OFFERED_SNAPSHOTS),
            );
            pruneSnapshots(deps.dataDir, deps.keep);
            const ms = Math.round(performance.now() - started);
            deps.log.info(
              { height: String(m.height), chunks: m.chunkHashes.length / 32, ms },
              "state snapshot written",
            );
          })
          .catch((err: unknown) => deps.log.warn({ err: String(err) }, "state snapshot failed"))
          .finally(() => {
            writing = null;
          });
      });
    },

    /** Routes one state-sync frame from `peer`. @throws CodecError on a malformed frame (the caller bans) */
    onMessage(peer: string, type: number, payload: Uint8Array): void {
      if (type === MSG.snapshotsRequest) {
        const b = budget(peer);
        if (!b.lists.take()) return overBudget(peer, b);
        const list = { manifests: manifests.map(encodeManifest) };
        deps.send(peer, MSG.snapshots, encode(SnapshotsMsgCodec, list));
      } else if (type === MSG.chunkRequest) {
        const req = decode(ChunkRequestCodec, payload);
        const b = budget(peer);
        if (!b.chunks.take()) return overBudget(peer, b);
        void serveChunk(peer, req.height, req.index);
      } else deps.onAnswer?.(peer, type, payload);
    },

    onPeerDisconnected(peer: string): void {
      budgets.delete(peer);
    },

    /** Snapshots this node offers, newest first. */
    manifests: () => manifests,
  };
}
