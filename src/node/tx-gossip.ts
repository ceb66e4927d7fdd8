import { decodeTx, type Tx } from "../core/chain/tx.js";
import { decode, encode, toHex } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import type { FastposError } from "../core/errors.js";
import { MAX_TX_BATCH, MSG, TxMsgCodec, TxsMsgCodec } from "./messages.js";
import type { Transport } from "./p2p/transport.js";

/**
 * Tx gossip between nodes (DESIGN.md §5): txs admitted to the mempool are queued per peer and sent as one
 * `txs` frame per peer when the event loop turns (setImmediate), so a burst of N txs costs one ws write per
 * peer instead of N. A tx is never sent back to the peer it came from.
 *
 * Receiving: each tx's canonical bytes are hashed first (the hash of the bytes is the tx hash, as decoding
 * is strict), and txs the node already knows — pending, or recently committed/dropped — are skipped before
 * any decoding or signature work. That keeps a full mesh's duplicate deliveries cheap.
 */
export interface TxGossipDeps {
  transport: Transport;
  /** True when the node already has or recently had this tx (hex hash): nothing to do. */
  known: (hash: string) => boolean;
  /**
   * Admits a tx given with its canonical bytes and hex hash; returns true if it entered the mempool.
   * @throws a FastposError when the tx is refused.
   */
  admit: (tx: Tx, bytes: Uint8Array, hash: string) => boolean;
  /** Most bytes of txs in one frame (stays well under the peers' max frame size). */
  maxFrameBytes: number;
}

export interface TxGossip {
  /** Queues a tx's bytes for every peer except `except` (its source). */
  queue(bytes: Uint8Array, except?: string): void;
  /** Handles a `tx` or `txs` frame from a peer. */
  onMessage(peerId: string, type: number, payload: Uint8Array): void;
}

export function createTxGossip(deps: TxGossipDeps): TxGossip {
  const { transport } = deps;
  const outbox = new Map<string, Uint8Array[]>();
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    for (const [peer, txs] of outbox) {
      let start = 0;
      while (start < txs.length) {
        let end = start;
        let bytes = 0;
        while (end < txs.length && end - start < MAX_TX_BATCH) {
          const size = (txs[end] as Uint8Array).length + 4;
          if (end > start && bytes + size > deps.maxFrameBytes) break;
          bytes += size;
          end++;
        }
        transport.send(peer, MSG.txs, encode(TxsMsgCodec, { txs: txs.slice(start, end) }));
        start = end;
      }
    }
    outbox.clear();
  }

  function queue(bytes: Uint8Array, except?: string): void {
    for (const p of transport.peers()) {
      if (p.id === except) continue;
      const list = outbox.get(p.id);
      if (list) list.push(bytes);
      else outbox.set(p.id, [bytes]);
    }
    if (!scheduled && outbox.size > 0) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  function onMessage(peerId: string, type: number, payload: Uint8Array): void {
    let list: Uint8Array[];
    try {
      list = type === MSG.tx ? [decode(TxMsgCodec, payload).tx] : decode(TxsMsgCodec, payload).txs;
    } catch {
      return transport.misbehave(peerId, "undecodable tx gossip");
    }
    for (const bytes of list) {
      const hash = toHex(sha256(bytes));
      if (deps.known(hash)) continue;
      let tx: Tx;
      try {
        tx = decodeTx(bytes);
      } catch {
        return transport.misbehave(peerId, "undecodable tx");
      }
      try {
        if (deps.admit(tx, bytes, hash)) queue(bytes, peerId);
      } catch (err) {
        if ((err as FastposError).code === "TX_BAD_SIGNATURE")
          return transport.misbehave(peerId, "tx with a bad signature");
      }
    }
  }

  return { queue, onMessage };
}
