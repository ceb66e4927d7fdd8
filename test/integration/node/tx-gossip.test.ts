import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createTransferTx, decodeTx, encodeTx, signedTxSignBytes } from "../../../src/core/chain/tx.js";
import { decode, encode, toHex } from "../../../src/core/codec/index.js";
import { getPublicKey, sha256, verify } from "../../../src/core/crypto/index.js";
import { MSG, TxHashesMsgCodec, TxsMsgCodec } from "../../../src/node/messages.js";
import { createTransport, type Transport } from "../../../src/node/p2p/transport.js";
import { createTxGossip, type TxGossip } from "../../../src/node/tx-gossip.js";

/**
 * Tx gossip over real transports (ws on 127.0.0.1). Each node's pool is a map of the txs it admitted; its
 * admission checks the signature with the consensus `verify`, as the node's does.
 */
const silent = { debug() {}, info() {}, warn() {} };
const GENESIS = new Uint8Array(32).fill(1);
const started: Transport[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

const secret = new Uint8Array(32).fill(7);
const txBytes = (nonce: bigint, to = 1) =>
  encodeTx(
    createTransferTx({ chainId: "t", secretKey: secret, to: new Uint8Array(20).fill(to), amount: 1n, nonce }),
  );
const hashOf = (bytes: Uint8Array) => toHex(sha256(bytes));

interface GossipNode {
  t: Transport;
  g: TxGossip;
  pool: Map<string, Uint8Array>;
  /** Every app frame received: sender, type, and how many txs or hashes it carried. */
  frames: { from: string; type: number; n: number }[];
  clock: { ms: number };
}

function count(type: number, payload: Uint8Array): number {
  if (type === MSG.txs) return decode(TxsMsgCodec, payload).txs.length;
  if (type === MSG.txAnnounce || type === MSG.txRequest)
    return decode(TxHashesMsgCodec, payload).hashes.length / 32;
  return 1;
}

async function gossipNode(opts: { peers?: string[]; maxFrameBytes?: number; gossip?: boolean } = {}) {
  const secretKey = randomBytes(32);
  const pool = new Map<string, Uint8Array>();
  const frames: GossipNode["frames"] = [];
  const clock = { ms: 0 };
  let g: TxGossip | undefined;
  const t = createTransport({
    chainId: "test-chain",
    genesisHash: GENESIS,
    nodeKey: { secretKey, publicKey: getPublicKey(secretKey) },
    moniker: "n",
    listen: "127.0.0.1:0",
    peers: opts.peers ?? [],
    maxPeers: 10,
    maxFrameBytes: 1 << 20,
    maxMessagesPerSecond: 1000,
    banSeconds: 60,
    peerExchange: false,
    logger: silent,
    onMessage: (p, type, payload) => {
      frames.push({ from: p.id, type, n: count(type, payload) });
      g?.onMessage(p.id, type, payload);
    },
  });
  if (opts.gossip !== false) {
    g = createTxGossip({
      transport: t,
      known: (hash) => pool.has(hash),
      admit: (tx, bytes, hash) => {
        if (pool.has(hash)) return false;
        if (!verify(tx.body.from, signedTxSignBytes(tx), tx.signature))
          throw Object.assign(new Error("bad signature"), { code: "TX_BAD_SIGNATURE" });
        pool.set(hash, bytes);
        return true;
      },
      lookup: (hash) => pool.get(hash),
      maxFrameBytes: opts.maxFrameBytes ?? 1 << 19,
      requestTimeoutMs: 1000,
      now: () => clock.ms,
    });
  }
  await t.start();
  started.push(t);
  return { t, g: g as TxGossip, pool, frames, clock } satisfies GossipNode;
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Submits txs at `n` as its API would: admitted locally, then broadcast. */
function submit(n: GossipNode, list: Uint8Array[]): void {
  for (const bytes of list) {
    n.pool.set(hashOf(bytes), bytes);
    n.g.broadcast(bytes);
  }
}

const ofType = (n: GossipNode, type: number, from?: string) =>
  n.frames.filter((f) => f.type === type && (from === undefined || f.from === from));
const total = (frames: { n: number }[]) => frames.reduce((s, f) => s + f.n, 0);

describe("tx gossip (real transports on 127.0.0.1)", () => {
  it("in a full mesh each node gets each tx in full once; relays are hash announcements only", async () => {
    const a = await gossipNode();
    const b = await gossipNode({ peers: [a.t.listenUrl()] });
    const c = await gossipNode({ peers: [a.t.listenUrl(), b.t.listenUrl()] });
    await until(() => [a, b, c].every((n) => n.t.peers().length === 2));
    const txs = Array.from({ length: 50 }, (_, i) => txBytes(BigInt(i)));
    submit(a, txs);
    await until(() => b.pool.size === 50 && c.pool.size === 50);
    // b and c relay by announcing to each other (not back to a); what they announce the other already has.
    await until(() => total(ofType(b, MSG.txAnnounce)) === 50 && total(ofType(c, MSG.txAnnounce)) === 50);
    await new Promise((r) => setTimeout(r, 100));
    for (const n of [b, c]) {
      expect(total(ofType(n, MSG.txs))).toBe(50); // from a only: no full duplicates
      expect(ofType(n, MSG.txs).every((f) => f.from === a.t.nodeId)).toBe(true);
      expect(ofType(n, MSG.txRequest)).toEqual([]);
    }
    // a burst goes out as few frames, not one per tx
    expect(ofType(b, MSG.txs).length).toBeLessThan(5);
    expect(a.frames.filter((f) => f.type === MSG.txs)).toEqual([]);
  });

  it("over a chain of peers a tx reaches the far end by announce → request → txs", async () => {
    const a = await gossipNode();
    const b = await gossipNode({ peers: [a.t.listenUrl()] });
    const c = await gossipNode({ peers: [b.t.listenUrl()] });
    await until(() => b.t.peers().length === 2 && a.t.peers().length === 1 && c.t.peers().length === 1);
    const txs = [txBytes(0n), txBytes(1n), txBytes(2n)];
    submit(a, txs);
    await until(() => c.pool.size === 3);
    expect([...c.pool.keys()].sort()).toEqual(txs.map(hashOf).sort());
    expect(total(ofType(c, MSG.txAnnounce, b.t.nodeId))).toBe(3);
    expect(total(ofType(b, MSG.txRequest, c.t.nodeId))).toBe(3);
    expect(total(ofType(c, MSG.txs, b.t.nodeId))).toBe(3);
    // b does not announce back to a, its source
    expect(ofType(a, MSG.txAnnounce)).toEqual([]);
  });

  it("asks one announcer at a time, and another one once the first request times out", async () => {
    const target = await gossipNode();
    const silentPeer = await gossipNode({ peers: [target.t.listenUrl()], gossip: false });
    const honest = await gossipNode({ peers: [target.t.listenUrl()] });
    await until(() => target.t.peers().length === 2);
    const tx = txBytes(5n);
    honest.pool.set(hashOf(tx), tx);
    const packed = sha256(tx);
    const announce = encode(TxHashesMsgCodec, { hashes: packed });
    silentPeer.t.send(target.t.nodeId, MSG.txAnnounce, announce); // will never answer
    await until(() => total(ofType(silentPeer, MSG.txRequest)) === 1);
    honest.t.send(target.t.nodeId, MSG.txAnnounce, announce);
    await new Promise((r) => setTimeout(r, 200));
    expect(ofType(honest, MSG.txRequest)).toEqual([]); // already asked of silentPeer
    target.clock.ms += 1001; // the request to silentPeer expires
    honest.t.send(target.t.nodeId, MSG.txAnnounce, announce);
    await until(() => target.pool.has(hashOf(tx)));
    expect(total(ofType(honest, MSG.txRequest))).toBe(1);
  });

  it("splits txs at the frame byte limit", async () => {
    const one = txBytes(0n).length + 4;
    const a = await gossipNode({ maxFrameBytes: one * 2 });
    const b = await gossipNode({ peers: [a.t.listenUrl()] });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    submit(
      a,
      Array.from({ length: 5 }, (_, i) => txBytes(BigInt(i))),
    );
    await until(() => b.pool.size === 5);
    expect(ofType(b, MSG.txs).map((f) => f.n)).toEqual([2, 2, 1]);
  });

  it("ignores requests for txs it does not have, and answers the ones it has", async () => {
    const a = await gossipNode();
    const b = await gossipNode({ peers: [a.t.listenUrl()], gossip: false });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    const have = txBytes(1n);
    a.pool.set(hashOf(have), have);
    const hashes = new Uint8Array(64);
    hashes.set(sha256(txBytes(99n)), 0);
    hashes.set(sha256(have), 32);
    b.t.send(a.t.nodeId, MSG.txRequest, encode(TxHashesMsgCodec, { hashes }));
    await until(() => ofType(b, MSG.txs).length === 1);
    expect(ofType(b, MSG.txs)[0]?.n).toBe(1);
    expect(a.t.peers()).toHaveLength(1);
  });

  it("bans a peer that sends malformed hashes, garbage txs or a tx with a bad signature", async () => {
    const forged = decodeTx(txBytes(0n));
    const bad = encodeTx({ ...forged, signature: new Uint8Array(64).fill(1) });
    const payloads: [number, Uint8Array][] = [
      [MSG.txAnnounce, encode(TxHashesMsgCodec, { hashes: new Uint8Array(33) })],
      [MSG.txRequest, new Uint8Array([1, 2, 3])],
      [MSG.txs, encode(TxsMsgCodec, { txs: [new Uint8Array([9, 9])] })],
      [MSG.txs, encode(TxsMsgCodec, { txs: [bad] })],
    ];
    for (const [type, payload] of payloads) {
      const a = await gossipNode();
      const b = await gossipNode({ peers: [a.t.listenUrl()], gossip: false });
      await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
      b.t.send(a.t.nodeId, type, payload);
      await until(() => a.t.peers().length === 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(a.t.peers(), `frame type ${type}`).toEqual([]); // banned: b's reconnects are refused
      expect(a.pool.size).toBe(0);
    }
  });
});
