/**
 * Block sync (DESIGN.md §4 "Catch-up"): a node behind its peers fetches blocks with the commits that decided
 * them and applies each only after verifying its commit against the validator set it knows.
 *
 * Peers' height claims (`status` frames, and future-height consensus messages that were signature-checked)
 * only choose whom to ask; they are believed no further than the peer proves by delivering (issue 24 item
 * 2). A request that is not answered with the blocks asked for within `timeoutMs` is a strike: the claim
 * falls back to what the peer has proven, and after `maxStrikes` the peer is reported as misbehaving
 * (banned). Claims are forgotten when the peer disconnects. Up to `maxInflight` windows of
 * `MAX_SYNC_BATCH` blocks are requested at once from different peers where possible (pipelined catch-up),
 * and applied strictly in height order.
 */
import { type Block, decodeBlock } from "../core/chain/block.js";
import { type Commit, CommitCodec } from "../core/chain/vote.js";
import { decode, encode } from "../core/codec/index.js";
import { isFastposError } from "../core/errors.js";
import { BlockRequestCodec, BlockResponseCodec, MAX_SYNC_BATCH, MSG } from "./messages.js";
import type { ServeBudget } from "./serve-budget.js";

export interface BlockSyncDeps {
  /** The committed height. */
  height(): bigint;
  store: {
    blockByHeight(h: bigint): Promise<Uint8Array | undefined>;
    commitAt(h: bigint): Promise<Uint8Array | undefined>;
  };
  send(peer: string, type: number, payload: Uint8Array): void;
  misbehave(peer: string, reason: string): void;
  /** Verifies `commit` for `block` against the known set, applies and stores it. @throws FastposError */
  applySynced(block: Block, bytes: Uint8Array, commit: Commit): Promise<void>;
  /** Synced blocks were applied: the node leaves its old height and joins the new one. */
  onAdvanced(applied: number): void;
  /** True while a decided block is being committed (sync waits for it). */
  busy(): boolean;
  /** Monotonic milliseconds. */
  now(): number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  timeoutMs?: number;
  maxStrikes?: number;
  maxInflight?: number;
  /** Per-peer budget of blocks served (serve-budget.ts); unlimited without one. */
  budget?: Pick<ServeBudget, "blocks">;
}

interface PeerClaim {
  claimed: bigint;
  /** Highest height this peer delivered (a verified block with its commit). */
  proven: bigint;
  strikes: number;
}

interface Request {
  peer: string;
  from: bigint;
  count: number;
  sentAt: number;
}

interface Received {
  block: Block;
  bytes: Uint8Array;
  commit: Commit;
  from: string;
}

export type BlockSync = ReturnType<typeof createBlockSync>;

export function createBlockSync(deps: BlockSyncDeps) {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  const maxStrikes = deps.maxStrikes ?? 3;
  const maxInflight = deps.maxInflight ?? 4;
  const window = BigInt(MAX_SYNC_BATCH * (maxInflight + 1));
  const peers = new Map<string, PeerClaim>();
  const inflight = new Map<bigint, Request>();
  const received = new Map<bigint, Received>();
  let applying = false;
  let rotate = 0;

  function claimOf(peer: string): PeerClaim {
    let c = peers.get(peer);
    if (!c) {
      c = { claimed: 0n, proven: 0n, strikes: 0 };
      peers.set(peer, c);
    }
    return c;
  }

  function strike(peer: string, why: string): void {
    const c = peers.get(peer);
    if (!c) return;
    c.claimed = c.proven;
    deps.log.warn({ peer, strikes: c.strikes + 1, why }, "block sync: peer strike");
    if (++c.strikes >= maxStrikes) {
      peers.delete(peer);
      for (const [k, r] of inflight) if (r.peer === peer) inflight.delete(k);
      deps.misbehave(peer, `block sync: ${why} (${c.strikes} times)`);
    }
  }

  function expire(): void {
    const t = deps.now();
    const late = new Set<string>();
    for (const [from, r] of inflight) {
      if (t - r.sentAt < timeoutMs) continue;
      inflight.delete(from);
      late.add(r.peer);
    }
    // One strike per peer per check, however many of its windows timed out together.
    for (const peer of late) strike(peer, "did not deliver the blocks it claimed");
  }

  /** The first height from `h` neither received nor requested. */
  function nextWanted(h: bigint): bigint {
    for (;;) {
      if (received.has(h)) {
        h++;
        continue;
      }
      let moved = false;
      for (const r of inflight.values())
        if (h >= r.from && h < r.from + BigInt(r.count)) {
          h = r.from + BigInt(r.count);
          moved = true;
        }
      if (!moved) return h;
    }
  }

  function pickPeer(h: bigint): string | undefined {
    const busy = new Set([...inflight.values()].map((r) => r.peer));
    const able = [...peers].filter(([, c]) => c.claimed >= h).map(([p]) => p);
    const free = able.filter((p) => !busy.has(p));
    const from = free.length ? free : able;
    return from.length ? from[rotate++ % from.length] : undefined;
  }

  function schedule(): void {
    expire();
    if (applying || deps.busy()) return;
    const base = deps.height();
    let next = nextWanted(base + 1n);
    while (inflight.size < maxInflight && next <= base + window) {
      const peer = pickPeer(next);
      if (!peer) return;
      const count = MAX_SYNC_BATCH;
      inflight.set(next, { peer, from: next, count, sentAt: deps.now() });
      deps.send(peer, MSG.blockRequest, encode(BlockRequestCodec, { from: next, count }));
      next = nextWanted(next);
    }
  }

  async function drain(): Promise<void> {
    if (applying || deps.busy()) return;
    applying = true;
    let applied = 0;
    try {
      for (;;) {
        const h = deps.height() + 1n;
        const item = received.get(h);
        if (!item) break;
        received.delete(h);
        try {
          await deps.applySynced(item.block, item.bytes, item.commit);
        } catch (err) {
          if (!isFastposError(err)) throw err;
          // Everything this peer sent is suspect; the heights are asked of someone else.
          for (const [k, r] of received) if (r.from === item.from) received.delete(k);
          peers.delete(item.from);
          deps.misbehave(item.from, `bad synced block: ${(err as Error).message}`);
          break;
        }
        const c = peers.get(item.from);
        if (c && h > c.proven) c.proven = h;
        applied++;
      }
    } finally {
      applying = false;
    }
    for (const k of received.keys()) if (k <= deps.height()) received.delete(k);
    if (applied > 0) {
      deps.log.info({ height: String(deps.height()), applied }, "block sync");
      deps.onAdvanced(applied);
    }
    schedule();
  }

  return {
    /** A peer's committed height, as it says (`status`). */
    onStatus(peer: string, height: bigint): void {
      const c = claimOf(peer);
      c.claimed = height;
      if (height > deps.height()) schedule();
    },

    /** A signature-checked message of `peer` shows a validator at `height + 1`: `height` is committed. */
    noteHeight(peer: string, height: bigint): void {
      const c = claimOf(peer);
      if (height > c.claimed) c.claimed = height;
      if (height > deps.height()) schedule();
    },

    onPeerDisconnected(peer: string): void {
      peers.delete(peer);
      for (const [k, r] of inflight) if (r.peer === peer) inflight.delete(k);
    },

    /** Serves a peer's `blockRequest` from the store. The frame is decoded here, synchronously. */
    onBlockRequest(from: string, payload: Uint8Array): Promise<void> {
      const req = decode(BlockRequestCodec, payload);
      // SECURITY: charged before any store read; at least 1, so asking for heights we lack is not free.
      const have = req.from > 0n && req.from <= deps.height() ? deps.height() - req.from + 1n : 0n;
      const cost = Math.max(1, Math.min(req.count, MAX_SYNC_BATCH, Number(have)));
      const verdict = deps.budget?.blocks(from, cost) ?? "serve";
      if (verdict === "misbehave") deps.misbehave(from, "block requests far over its budget");
      if (verdict !== "serve") return Promise.resolve();
      return (async () => {
        const out: { block: Uint8Array; commit: Commit }[] = [];
        const end = req.from + BigInt(Math.min(req.count, MAX_SYNC_BATCH));
        for (let h = req.from; h < end && h <= deps.height() && h > 0n; h++) {
          const block = await deps.store.blockByHeight(h);
          const commit = await deps.store.commitAt(h);
          if (!block || !commit) break;
          out.push({ block, commit: decode(CommitCodec, commit) });
        }
        // An empty answer tells the asker at once that this node does not have them.
        deps.send(from, MSG.blockResponse, encode(BlockResponseCodec, { blocks: out }));
      })();
    },

    /**
     * A peer's `blockResponse`: blocks are decoded here (a malformed frame throws to the caller, which bans
     * the peer), kept until their turn and applied in order. Blocks nobody asked this peer for are ignored.
     */
    onBlockResponse(from: string, payload: Uint8Array): Promise<void> {
      // Decoded before anything else, so a malformed frame bans its sender even when nobody asked it.
      const { blocks } = decode(BlockResponseCodec, payload);
      const asked = [...inflight.values()].filter((r) => r.peer === from);
      if (asked.length === 0) return Promise.resolve(); // unsolicited, or late after a timeout: ignored
      const items = blocks.map((b) => ({ block: decodeBlock(b.block), bytes: b.block, commit: b.commit }));
      const base = deps.height();
      const first = items[0]?.block.header.height;
      const request = asked.find((r) => r.from === first) ?? (asked[0] as Request);
      inflight.delete(request.from);
      if (items.length === 0 || first !== request.from) strike(from, "answered without the blocks asked for");
      for (const [i, it] of items.entries()) {
        const h = it.block.header.height;
        if (h !== request.from + BigInt(i) || i >= request.count) break;
        if (h > base && h <= base + window) received.set(h, { ...it, from });
      }
      return drain();
    },

    /** Re-checks timeouts and asks for more (called periodically). */
    tick(): void {
      schedule();
      if (received.has(deps.height() + 1n)) void drain();
    },

    /** True while some peer claims to be more than one block ahead (`/readyz` is 503 meanwhile). */
    get syncing(): boolean {
      const h = deps.height();
      for (const c of peers.values()) if (c.claimed > h + 1n) return true;
      return false;
    },

    get applying(): boolean {
      return applying;
    },
  };
}
