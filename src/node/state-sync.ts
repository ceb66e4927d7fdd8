/**
 * State sync (issue 17, DESIGN.md §4 "Catch-up"): a new node finds snapshots offered by its peers, proves
 * the snapshot height's header by light-client checks from what it trusts (`core/chain/light.ts`: the
 * genesis set, or a pinned trusted header), fetches the chunks in parallel from every peer offering that
 * snapshot — checking each against the manifest's hash as it arrives — and rebuilds the state, whose root
 * must be the header's stateRoot. The node then block-syncs from that height to the tip and joins
 * consensus like any node.
 *
 * SECURITY: nothing a peer says is believed unchecked. A manifest is only a claim until the header with
 * its >2/3 commit (and ≥1/3 of the trusted power) matches it; a chunk that does not hash to what the
 * verified manifest lists gets its sender banned and is fetched from another peer; a peer that does not
 * answer in time loses its requests to others.
 */
import { type Block, decodeBlock, hashBlock } from "../core/chain/block.js";
import { verifyLightHeader } from "../core/chain/light.js";
import {
  chunkCount,
  decodeManifest,
  hashManifest,
  isValidChunk,
  rebuildState,
  type SnapshotManifest,
} from "../core/chain/snapshot.js";
import type { StateTree } from "../core/chain/state-tree.js";
import { hashValidatorSet, type ValidatorSet } from "../core/chain/validator-set.js";
import type { Commit } from "../core/chain/vote.js";
import { bytesEqual, decode, encode, toHex } from "../core/codec/index.js";
import { FastposError } from "../core/errors.js";
import { decodeChainMeta } from "./chain-state.js";
import {
  BlockRequestCodec,
  BlockResponseCodec,
  ChunkMsgCodec,
  ChunkRequestCodec,
  MSG,
  SnapshotsMsgCodec,
} from "./messages.js";

export type StateSyncErrorType =
  | { code: "STATE_SYNC_NO_SNAPSHOT"; waitedMs: number; hint: string }
  | { code: "STATE_SYNC_FAILED"; reason: string; hint: string };
export class StateSyncError extends FastposError<StateSyncErrorType> {}

export interface StateSyncDeps {
  chainId: string;
  /** The validator set trusted without proof (the genesis set). */
  trustedSet: ValidatorSet;
  /** A pinned header: the snapshot must be at this height with this block hash. */
  trust?: { height: bigint; hash: Uint8Array } | null;
  send(peer: string, type: number, payload: Uint8Array): void;
  broadcast(type: number, payload: Uint8Array): void;
  misbehave(peer: string, reason: string): void;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** How long offers are collected before one is chosen. */
  discoveryMs: number;
  /** Longest the whole sync may take. */
  timeoutMs: number;
  /** A chunk request not answered within this goes to another peer. */
  chunkTimeoutMs?: number;
  /** Chunk requests in flight per peer. */
  perPeer?: number;
  signal: AbortSignal;
}

export interface SyncedSnapshot {
  manifest: SnapshotManifest;
  tree: StateTree;
  block: Block;
  blockBytes: Uint8Array;
  commit: Commit;
  /** Peers that served at least one good chunk. */
  servedBy: string[];
  bannedPeers: string[];
}

interface Offer {
  manifest: SnapshotManifest;
  peers: Set<string>;
}

export function createStateSync(deps: StateSyncDeps) {
  const offers = new Map<string, Offer>();
  const banned = new Set<string>();
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  let blockWaiter: {
    peer: string;
    resolve: (b: { block: Uint8Array; commit: Commit } | null) => void;
  } | null = null;
  let chunkSink: ((peer: string, height: bigint, index: number, data: Uint8Array) => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  function ban(peer: string, reason: string): void {
    banned.add(peer);
    for (const o of offers.values()) o.peers.delete(peer);
    deps.log.warn({ peer, reason }, "state sync: peer banned");
    deps.misbehave(peer, `state sync: ${reason}`);
  }

  function best(): Offer | undefined {
    let pick: Offer | undefined;
    for (const o of offers.values()) {
      if (o.peers.size === 0) continue;
      const m = o.manifest;
      if (deps.trust && (m.height !== deps.trust.height || !bytesEqual(m.blockHash, deps.trust.hash)))
        continue;
      if (
        !pick ||
        m.height > pick.manifest.height ||
        (m.height === pick.manifest.height && o.peers.size > pick.peers.size)
      )
        pick = o;
    }
    return pick;
  }

  /** The header of the snapshot height with its commit, verified; null when `peer` did not prove it. */
  async function verifiedBlock(offer: Offer, peer: string) {
    const m = offer.manifest;
    const got = await new Promise<{ block: Uint8Array; commit: Commit } | null>((resolve) => {
      blockWaiter = { peer, resolve };
      deps.send(peer, MSG.blockRequest, encode(BlockRequestCodec, { from: m.height, count: 1 }));
      setTimeout(() => resolve(null), deps.chunkTimeoutMs ?? 5_000);
    });
    blockWaiter = null;
    if (!got) return null;
    try {
      const block = decodeBlock(got.block);
      const meta = decodeChainMeta(m.meta);
      const h = block.header;
      if (!bytesEqual(hashBlock(block), m.blockHash) || !bytesEqual(h.stateRoot, m.stateRoot))
        throw new Error("the block does not match the manifest");
      if (
        meta.height !== h.height ||
        !bytesEqual(meta.lastBlockHash, m.blockHash) ||
        meta.lastBlockTime !== h.time
      )
        throw new Error("the manifest's chain meta is not the header's");
      if (!bytesEqual(hashValidatorSet(meta.validatorSet), h.nextValidatorsHash))
        throw new Error("the manifest's next validator set is not the header's");
      verifyLightHeader({
        chainId: deps.chainId,
        // A pinned hash proves the header by itself; the commit is still checked against its own set.
        trusted: deps.trust ? meta.lastValidatorSet : deps.trustedSet,
        header: h,
        commit: got.commit,
        signers: meta.lastValidatorSet,
      });
      return { block, blockBytes: got.block, commit: got.commit };
    } catch (err) {
      ban(peer, `unprovable snapshot at height ${m.height}: ${(err as Error).message}`);
      return null;
    }
  }

  async function fetchChunks(offer: Offer): Promise<{ chunks: Uint8Array[]; servedBy: Set<string> }> {
    const m = offer.manifest;
    const n = chunkCount(m);
    const chunks: (Uint8Array | undefined)[] = new Array(n);
    const queue = Array.from({ length: n }, (_, i) => i);
    const inflight = new Map<number, { peer: string; at: number }>();
    const servedBy = new Set<string>();
    const perPeer = deps.perPeer ?? 4;
    const timeout = deps.chunkTimeoutMs ?? 5_000;
    let done = 0;
    let rotate = 0;
    chunkSink = (peer, height, index, data) => {
      const r = inflight.get(index);
      if (height !== m.height || !r || r.peer !== peer) return; // unsolicited or late: ignored
      inflight.delete(index);
      if (data.length === 0) {
        offer.peers.delete(peer); // it no longer has it
        queue.push(index);
      } else if (!isValidChunk(m, index, data)) {
        ban(peer, `bad chunk ${index} of the snapshot at height ${m.height}`);
        for (const [i, x] of inflight)
          if (x.peer === peer) {
            inflight.delete(i);
            queue.push(i);
          }
        queue.push(index);
      } else if (!chunks[index]) {
        chunks[index] = data;
        servedBy.add(peer);
        done++;
      }
      poke();
    };
    try {
      while (done < n) {
        if (deps.signal.aborted) throw failed("the node is stopping");
        const now = performance.now();
        for (const [i, r] of inflight)
          if (now - r.at > timeout) {
            inflight.delete(i);
            queue.push(i);
          }
        const peers = [...offer.peers];
        if (peers.length === 0 && inflight.size === 0) throw failed("no peer left that serves the snapshot");
        const load = new Map<string, number>();
        for (const r of inflight.values()) load.set(r.peer, (load.get(r.peer) ?? 0) + 1);
        while (queue.length && peers.length) {
          const free = peers.filter((p) => (load.get(p) ?? 0) < perPeer);
          if (!free.length) break;
          const peer = free[rotate++ % free.length] as string;
          const index = queue.shift() as number;
          if (chunks[index]) continue;
          inflight.set(index, { peer, at: performance.now() });
          load.set(peer, (load.get(peer) ?? 0) + 1);
          deps.send(peer, MSG.chunkRequest, encode(ChunkRequestCodec, { height: m.height, index }));
        }
        await sleep(200);
      }
    } finally {
      chunkSink = null;
    }
    return { chunks: chunks as Uint8Array[], servedBy };
  }

  function failed(reason: string): StateSyncError {
    return new StateSyncError(
      {
        code: "STATE_SYNC_FAILED",
        reason,
        hint: "check the peers (p2p.peers); without --state-sync the node syncs every block",
      },
      `state sync failed: ${reason}`,
    );
  }

  return {
    /** Runs the sync to a verified state; rejects with StateSyncError. */
    async run(): Promise<SyncedSnapshot> {
      const started = performance.now();
      const deadline = started + deps.timeoutMs;
      deps.log.info(
        { trusted: deps.trust ? String(deps.trust.height) : "genesis" },
        "state sync: looking for snapshots",
      );
      for (;;) {
        deps.broadcast(MSG.snapshotsRequest, new Uint8Array(0));
        await sleep(Math.min(1000, deps.discoveryMs));
        if (deps.signal.aborted) throw failed("the node is stopping");
        const elapsed = performance.now() - started;
        if (elapsed < deps.discoveryMs) continue;
        const offer = best();
        if (!offer) {
          if (performance.now() > deadline)
            throw new StateSyncError(
              {
                code: "STATE_SYNC_NO_SNAPSHOT",
                waitedMs: Math.round(elapsed),
                hint: "no peer offers a usable snapshot yet (they write one every snapshot.interval blocks); start without --state-sync to sync every block",
              },
              `state sync: no peer offered a usable snapshot within ${Math.round(elapsed)} ms`,
            );
          continue;
        }
        const m = offer.manifest;
        // The header from the first offering peer that proves it (a silent one is just skipped).
        let proved: Awaited<ReturnType<typeof verifiedBlock>> = null;
        for (const peer of [...offer.peers]) {
          proved = await verifiedBlock(offer, peer);
          if (proved) break;
        }
        if (!proved) continue;
        deps.log.info(
          { height: String(m.height), chunks: chunkCount(m), peers: offer.peers.size },
          "state sync: snapshot header verified; fetching chunks",
        );
        const { chunks, servedBy } = await fetchChunks(offer);
        const tree = rebuildState(m, chunks);
        deps.log.info(
          { height: String(m.height), ms: Math.round(performance.now() - started), peers: servedBy.size },
          "state sync: state rebuilt and verified",
        );
        return { manifest: m, tree, ...proved, servedBy: [...servedBy], bannedPeers: [...banned] };
      }
    },

    /** `snapshots`, `chunk` and `blockResponse` frames while the sync runs. @throws CodecError */
    onMessage(peer: string, type: number, payload: Uint8Array): void {
      if (banned.has(peer)) return;
      if (type === MSG.snapshots) {
        for (const raw of decode(SnapshotsMsgCodec, payload).manifests) {
          const m = decodeManifest(raw);
          const id = toHex(hashManifest(m));
          const o = offers.get(id) ?? { manifest: m, peers: new Set<string>() };
          o.peers.add(peer);
          offers.set(id, o);
        }
      } else if (type === MSG.chunk) {
        const c = decode(ChunkMsgCodec, payload);
        chunkSink?.(peer, c.height, c.index, c.data);
      } else if (type === MSG.blockResponse && blockWaiter?.peer === peer) {
        const first = decode(BlockResponseCodec, payload).blocks[0];
        blockWaiter.resolve(first ?? null);
      }
    },

    onPeerConnected(peer: string): void {
      deps.send(peer, MSG.snapshotsRequest, new Uint8Array(0));
    },

    onPeerDisconnected(peer: string): void {
      for (const o of offers.values()) o.peers.delete(peer);
      poke();
    },
  };
}
