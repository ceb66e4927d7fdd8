/**
 * Tx gossip between nodes (DESIGN.md §5).
 *
 * - A tx submitted to this node's API goes in full to every peer: none of them can have it yet.
 * - A tx admitted from a peer is announced to the other peers by hash only (`txAnnounce`); a peer that does
 *   not know the hash asks for the tx (`txRequest`) and gets it in a `txs` frame. PERF: in a full mesh every
 *   peer already got the tx from its origin, so a relay costs 32 bytes and one map lookup per peer instead of
 *   the whole tx and a hash of it; over a chain of peers the tx still reaches everyone, one round trip per
 *   hop after the first.
 * - Everything queued for a peer goes out as at most one `txs` and one `txAnnounce` frame per peer when the
 *   event loop turns (setImmediate), so a burst of N txs costs a few ws writes instead of N.
 * - Receiving full txs: each tx's canonical bytes are hashed first (the hash of the bytes is the tx hash, as
 *   decoding is strict), and txs the node already knows, has queued or has refused are skipped before any
 *   decoding or signature work.
 * - A hash is requested from one peer at a time: an announcement of a hash already asked for is ignored
 *   until `requestTimeoutMs` passes without the tx arriving, then another announcement may ask again.
 *
 * SECURITY (issue 24 items 4 and 8): each peer has a budget in txs, bytes and hashes (p2p/tx-budget.ts);
 * refused hashes are remembered (p2p/tx-rejections.ts) and refusals are scored, so a peer flooding
 * validly signed junk is banned while one relaying a tx that a block just made stale is not; received txs
 * are admitted a bounded number per event-loop turn (p2p/tx-intake.ts), so consensus frames are never
 * starved; duplicate hashes in a frame are answered once; a malformed frame of any gossip type bans.
 */
import { decodeTxWithHash, type Tx } from "../core/chain/tx.js";
import { decode, encode, toHex } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import type { FastposError } from "../core/errors.js";
import {
  MAX_TX_BATCH,
  MAX_TX_HASHES,
  MSG,
  packHashes,
  splitByBytes,
  TxHashesMsgCodec,
  TxMsgCodec,
  TxsMsgCodec,
  unpackHashes,
} from "./messages.js";
import type { Transport } from "./p2p/transport.js";
import {
  createPeerTxBudget,
  type PeerTxBudget,
  TX_BUDGET_DEFAULTS,
  type TxBudgetLimits,
} from "./p2p/tx-budget.js";
import { createTxIntake, type IntakeItem } from "./p2p/tx-intake.js";
import { classifyRejection, REJECTION_WEIGHT, RejectedTxs } from "./p2p/tx-rejections.js";

export interface TxGossipDeps {
  transport: Transport;
  /** True when the node already has or recently had this tx (hex hash): nothing to do. */
  known: (hash: string) => boolean;
  /**
   * Admits a tx given with its canonical bytes and hex hash; returns true if it entered the mempool.
   * @throws a FastposError when the tx is refused; its code decides what the refusal says of the sender.
   */
  admit: (tx: Tx, bytes: Uint8Array, hash: string) => boolean;
  /** The canonical bytes of a pending tx (hex hash), to answer a peer's request; undefined if not pending. */
  lookup: (hash: string) => Uint8Array | undefined;
  /** Most bytes of txs in one frame (stays well under the peers' max frame size). */
  maxFrameBytes: number;
  /** Per-peer budget (config `p2p.txsPerSecondPerPeer`, `p2p.txBytesPerSecondPerPeer`). */
  budget?: Partial<TxBudgetLimits>;
  /** How long a request waits for its tx before the hash may be asked of another peer (default 2,000 ms). */
  requestTimeoutMs?: number;
  /** Clock in ms (tests pass their own). */
  now?: () => number;
}

export interface TxGossip {
  /** A tx submitted to this node: its bytes go to every peer. */
  broadcast(bytes: Uint8Array): void;
  /** A tx admitted from peer `from`: its 32-byte hash is announced to every other peer. */
  announce(hash: Uint8Array, from: string): void;
  /** Handles a `tx`, `txs`, `txAnnounce` or `txRequest` frame from a peer. */
  onMessage(peerId: string, type: number, payload: Uint8Array): void;
  /**
   * Sends what is queued now instead of when the event loop turns. A proposer calls it before sending a
   * proposal, so its peers get the txs it just admitted ahead of the block that includes them.
   */
  flush(): void;
  /**
   * Admits these received-but-queued txs (hex hashes) first: a compact proposal waits for them. PERF: the
   * driver calls it for a proposal's absent txs before asking peers for them.
   */
  expedite(hashes: readonly string[]): void;
  /** Counters for metrics: txs dropped over a peer's budget, refused-hash hits, txs waiting. */
  stats(): { overBudget: number; rejectedHits: number; queued: number };
}

/** Most hashes remembered as requested; past it the oldest requests are forgotten early. */
const MAX_IN_FLIGHT = 50_000;

interface Outbox {
  txs: Uint8Array[];
  hashes: Uint8Array[];
}

export function createTxGossip(deps: TxGossipDeps): TxGossip {
  const { transport } = deps;
  const now = deps.now ?? (() => performance.now());
  const timeoutMs = deps.requestTimeoutMs ?? 2000;
  const limits: TxBudgetLimits = { ...TX_BUDGET_DEFAULTS, ...deps.budget };
  const outbox = new Map<string, Outbox>();
  /** Hex hash → when the request for it expires; insertion order is expiry order (one timeout for all). */
  const requested = new Map<string, number>();
  const budgets = new Map<string, PeerTxBudget>();
  const rejected = new RejectedTxs(now);
  const intake = createTxIntake(admitQueued);
  const counters = { overBudget: 0, rejectedHits: 0 };
  let scheduled = false;

  transport.onDisconnect((peer) => {
    budgets.delete(peer.id);
    outbox.delete(peer.id);
    intake.dropPeer(peer.id);
  });

  function budgetOf(peer: string): PeerTxBudget {
    let b = budgets.get(peer);
    if (!b) {
      b = createPeerTxBudget(limits, now);
      budgets.set(peer, b);
    }
    return b;
  }

  function ban(peer: string, reason: string): void {
    intake.dropPeer(peer);
    transport.misbehave(peer, reason);
  }

  /** Items dropped over budget; true (and banned) when the peer keeps at it. */
  function overBudget(peer: string, n: number): boolean {
    if (n <= 0) return false;
    counters.overBudget += n;
    if (!budgetOf(peer).overflow(n)) return false;
    ban(peer, "tx gossip budget exceeded again and again");
    return true;
  }

  /** Scores a refusal; true when the peer was banned for it. */
  function penalize(peer: string, code: string | undefined): boolean {
    const cls = classifyRejection(code);
    if (cls === "ban") {
      ban(peer, `tx refused: ${code}`);
      return true;
    }
    if (!budgetOf(peer).junk(REJECTION_WEIGHT[cls])) return false;
    ban(peer, `too many refused txs (last: ${code})`);
    return true;
  }

  function sendTxs(peer: string, txs: Uint8Array[]): void {
    for (const run of splitByBytes(txs, MAX_TX_BATCH, deps.maxFrameBytes, (t) => t.length + 4))
      transport.send(peer, MSG.txs, encode(TxsMsgCodec, { txs: run }));
  }

  function sendHashes(peer: string, type: number, hashes: Uint8Array[]): void {
    for (let start = 0; start < hashes.length; start += MAX_TX_HASHES) {
      const packed = packHashes(hashes.slice(start, start + MAX_TX_HASHES));
      transport.send(peer, type, encode(TxHashesMsgCodec, { hashes: packed }));
    }
  }

  function flush(): void {
    for (const [peer, box] of outbox) {
      if (box.txs.length) sendTxs(peer, box.txs);
      if (box.hashes.length) sendHashes(peer, MSG.txAnnounce, box.hashes);
    }
    outbox.clear();
  }

  function boxFor(peer: string): Outbox {
    let box = outbox.get(peer);
    if (!box) {
      box = { txs: [], hashes: [] };
      outbox.set(peer, box);
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        flush();
      });
    }
    return box;
  }

  function broadcast(bytes: Uint8Array): void {
    for (const p of transport.peers()) boxFor(p.id).txs.push(bytes);
  }

  function announce(hash: Uint8Array, from: string): void {
    for (const p of transport.peers()) if (p.id !== from) boxFor(p.id).hashes.push(hash);
  }

  /** The distinct 32-byte hashes of a `txAnnounce`/`txRequest` frame, or null if it is malformed. */
  function hashesOf(payload: Uint8Array): Uint8Array[] | null {
    let list: Uint8Array[] | null;
    try {
      list = unpackHashes(decode(TxHashesMsgCodec, payload).hashes);
    } catch {
      return null;
    }
    if (!list) return null;
    // SECURITY: a hash repeated in one frame is handled once (no amplification of requests or answers).
    const seen = new Set<string>();
    return list.filter((h) => {
      const hex = Buffer.from(h.buffer, h.byteOffset, 32).toString("latin1");
      if (seen.has(hex)) return false;
      seen.add(hex);
      return true;
    });
  }

  function onAnnounce(peerId: string, hashes: Uint8Array[]): void {
    const allowed = budgetOf(peerId).takeHashes(hashes.length);
    if (overBudget(peerId, hashes.length - allowed)) return;
    const t = now();
    for (const [hash, expires] of requested) {
      if (expires > t && requested.size <= MAX_IN_FLIGHT) break;
      requested.delete(hash);
    }
    const want: Uint8Array[] = [];
    for (const raw of hashes.slice(0, allowed)) {
      const hash = toHex(raw);
      if (deps.known(hash) || requested.has(hash) || intake.has(hash) || rejected.get(hash)) continue;
      requested.set(hash, t + timeoutMs);
      want.push(raw);
    }
    if (want.length) sendHashes(peerId, MSG.txRequest, want);
  }

  function onRequest(peerId: string, hashes: Uint8Array[]): void {
    const budget = budgetOf(peerId);
    const allowed = budget.takeHashes(hashes.length);
    if (overBudget(peerId, hashes.length - allowed)) return;
    let box: Outbox | undefined;
    for (const raw of hashes.slice(0, allowed)) {
      const bytes = deps.lookup(toHex(raw));
      if (!bytes) continue; // committed or dropped since it was announced: nothing to send
      if (!budget.takeServe(bytes.length)) return void overBudget(peerId, 1);
      box ??= boxFor(peerId);
      box.txs.push(bytes);
    }
  }

  function onTxs(peerId: string, list: Uint8Array[]): void {
    const allowed = budgetOf(peerId).takeTxs(list.map((t) => t.length));
    if (overBudget(peerId, list.length - allowed)) return;
    for (let i = 0; i < allowed; i++) {
      const bytes = list[i] as Uint8Array;
      const raw = sha256(bytes);
      const hash = toHex(raw);
      requested.delete(hash);
      if (deps.known(hash) || intake.has(hash)) continue;
      const code = rejected.get(hash);
      if (code !== undefined) {
        counters.rejectedHits++;
        if (penalize(peerId, code)) return;
        continue;
      }
      intake.push({ peer: peerId, bytes, raw, hash });
    }
    intake.drain();
  }

  /** Decodes and admits one queued tx (called by the intake, a bounded number per turn). */
  function admitQueued({ peer, bytes, raw, hash }: IntakeItem): void {
    if (deps.known(hash)) return;
    let tx: Tx;
    try {
      tx = decodeTxWithHash(bytes, raw);
    } catch {
      return ban(peer, "undecodable tx");
    }
    try {
      if (deps.admit(tx, bytes, hash)) announce(raw, peer);
    } catch (err) {
      const code = (err as FastposError).code as string | undefined;
      rejected.add(hash, code);
      penalize(peer, code);
    }
  }

  function onMessage(peerId: string, type: number, payload: Uint8Array): void {
    if (type === MSG.txAnnounce || type === MSG.txRequest) {
      const hashes = hashesOf(payload);
      if (!hashes) return ban(peerId, "malformed tx hashes");
      return type === MSG.txAnnounce ? onAnnounce(peerId, hashes) : onRequest(peerId, hashes);
    }
    let list: Uint8Array[];
    try {
      list = type === MSG.tx ? [decode(TxMsgCodec, payload).tx] : decode(TxsMsgCodec, payload).txs;
    } catch {
      return ban(peerId, "undecodable tx gossip");
    }
    onTxs(peerId, list);
  }

  return {
    broadcast,
    announce,
    onMessage,
    flush,
    expedite: (hashes) => intake.expedite(hashes),
    stats: () => ({ ...counters, queued: intake.size }),
  };
}
