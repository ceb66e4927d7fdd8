import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { TxError } from "../../../src/core/chain/errors.js";
import { createTransferTx, encodeTx, signedTxSignBytes } from "../../../src/core/chain/tx.js";
import { decode, encode, toHex } from "../../../src/core/codec/index.js";
import { sha256, verify } from "../../../src/core/crypto/index.js";
import {
  MSG,
  packHashes,
  TX_GOSSIP_TYPES,
  TxHashesMsgCodec,
  TxMsgCodec,
  TxsMsgCodec,
} from "../../../src/node/messages.js";
import type { TxBudgetLimits } from "../../../src/node/p2p/tx-budget.js";
import { createTxGossip, type TxGossip } from "../../../src/node/tx-gossip.js";
import { CHAIN_ID, GENESIS, startTransport, stopAll, type TestTransport } from "../../helpers/p2p.js";
import { connectRawPeer, type RawPeer, until } from "../../helpers/raw-peer.js";

/**
 * Issue 24 items 4 and 8, gossip side: a raw peer on 127.0.0.1 (real handshake, own node key) attacks a
 * node's tx gossip. The victim runs the real transport and gossip; its admission checks, like the node's,
 * refuse with typed errors: unfunded sender, used nonce, bad signature (verified with the one `verify`).
 */
const FUNDED = new Uint8Array(32).fill(7);
const UNFUNDED = new Uint8Array(32).fill(9);
const NEXT_NONCE = 100n; // FUNDED's next nonce: lower ones are used

const tx = (secretKey: Uint8Array, nonce: bigint, amount = 1n) =>
  encodeTx(createTransferTx({ chainId: "t", secretKey, to: new Uint8Array(20).fill(1), amount, nonce }));
const txs = (secretKey: Uint8Array, n: number, from = NEXT_NONCE) =>
  Array.from({ length: n }, (_, i) => tx(secretKey, from + BigInt(i)));
const txsFrame = (list: Uint8Array[]) => encode(TxsMsgCodec, { txs: list });
const hashesFrame = (hashes: Uint8Array[]) => encode(TxHashesMsgCodec, { hashes: packHashes(hashes) });

interface Victim {
  n: TestTransport;
  g: TxGossip;
  pool: Map<string, Uint8Array>;
  /** admit calls (each would verify a signature in the node). */
  admits: { count: number };
  /** Consensus-type frames, with how many txs were admitted when each was handled. */
  consensus: { type: number; admitted: number }[];
}

async function victim(o: { budget?: Partial<TxBudgetLimits>; now?: () => number } = {}): Promise<Victim> {
  const pool = new Map<string, Uint8Array>();
  const admits = { count: 0 };
  const consensus: Victim["consensus"] = [];
  const funded = toHex(
    createTransferTx({ chainId: "t", secretKey: FUNDED, to: new Uint8Array(20), amount: 1n, nonce: 0n }).body
      .from,
  );
  let g: TxGossip | undefined;
  const n = await startTransport({
    maxFrameBytes: 4 << 20,
    onMessage: (p, type, payload) => {
      if (TX_GOSSIP_TYPES.includes(type)) return g?.onMessage(p.id, type, payload);
      consensus.push({ type, admitted: pool.size });
    },
  });
  g = createTxGossip({
    transport: n.t,
    known: (hash) => pool.has(hash),
    admit: (t, bytes, hash) => {
      admits.count++;
      if (pool.has(hash)) return false;
      if (toHex(t.body.from) !== funded)
        throw new TxError({ code: "TX_INSUFFICIENT_FUNDS", need: 1n, have: 0n }, "insufficient funds");
      if (t.body.nonce < NEXT_NONCE)
        throw new TxError({ code: "TX_BAD_NONCE", expected: NEXT_NONCE, got: t.body.nonce }, "nonce used");
      if (!verify(t.body.from, signedTxSignBytes(t), t.signature))
        throw new TxError({ code: "TX_BAD_SIGNATURE" }, "bad signature");
      pool.set(hash, bytes);
      return true;
    },
    lookup: (hash) => pool.get(hash),
    maxFrameBytes: 1 << 19,
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  return { n, g, pool, admits, consensus };
}

const raw = (v: Victim) => connectRawPeer(v.n.t.listenUrl(), { chainId: CHAIN_ID, genesisHash: GENESIS });
/** The raw peer is in the victim's peer set (the victim decided to keep it). */
const accepted = async (v: Victim, p: RawPeer) =>
  until(() => v.n.t.isConnected(p.nodeId), 10_000, "peer kept");
const txsReceived = (p: RawPeer) =>
  p.frames
    .filter((f) => f.type === MSG.txs)
    .reduce((s, f) => s + decode(TxsMsgCodec, f.payload).txs.length, 0);

afterEach(stopAll);

describe("tx gossip under attack (raw peer on 127.0.0.1)", () => {
  it("bans a peer flooding validly signed txs of an unfunded sender, after a bounded number of checks", async () => {
    const v = await victim();
    const p = await raw(v);
    await accepted(v, p);
    p.send(MSG.txs, txsFrame(txs(UNFUNDED, 1000)));
    await p.closed;
    expect(v.n.t.isConnected(p.nodeId)).toBe(false);
    expect(v.admits.count).toBeLessThanOrEqual(110); // banned at a junk score of 100, the rest never checked
  });

  it("remembers refused tx hashes: the same junk from another peer is not checked again", async () => {
    const v = await victim();
    const junk = txs(UNFUNDED, 50);
    const a = await raw(v);
    await accepted(v, a);
    a.send(MSG.txs, txsFrame(junk));
    await until(() => v.admits.count === 50, 10_000, "first copy checked");
    const b = await raw(v);
    await accepted(v, b);
    b.send(MSG.txs, txsFrame(junk));
    // b also announces them: refused hashes are not requested either
    b.send(MSG.txAnnounce, hashesFrame(junk.map((t) => sha256(t))));
    await new Promise((r) => setTimeout(r, 500));
    expect(v.admits.count).toBe(50);
    expect(b.frames.filter((f) => f.type === MSG.txRequest)).toEqual([]);
  });

  it("does not ban an honest peer relaying txs that a block made stale (nonce already used)", async () => {
    const v = await victim();
    const p = await raw(v);
    await accepted(v, p);
    // A block's worth of txs whose nonces were just used, plus a few that a spend made unfunded.
    const stale = Array.from({ length: 500 }, (_, i) =>
      tx(FUNDED, BigInt(i % 100), BigInt(1 + Math.floor(i / 100))),
    );
    p.send(MSG.txs, txsFrame(stale));
    p.send(MSG.txs, txsFrame(txs(UNFUNDED, 20)));
    p.send(MSG.txs, txsFrame(txs(FUNDED, 10)));
    await until(() => v.pool.size === 10, 10_000, "valid txs admitted");
    expect(v.admits.count).toBe(530);
    expect(p.isOpen()).toBe(true);
    expect(v.n.t.isConnected(p.nodeId)).toBe(true);
  });

  it("counts a peer's tx budget in txs, not frames, and bans a peer that keeps exceeding it", async () => {
    const clock = { ms: 0 };
    const v = await victim({ budget: { txsPerSecond: 100 }, now: () => clock.ms });
    const p = await raw(v);
    await accepted(v, p);
    p.send(MSG.txs, txsFrame(txs(FUNDED, 150))); // one frame; the 2 s burst is 200 txs
    await until(() => v.pool.size === 150, 10_000, "in-budget txs admitted");
    p.send(MSG.txs, txsFrame(txs(FUNDED, 150, NEXT_NONCE + 150n)));
    await until(() => v.pool.size === 200, 10_000, "budget used up");
    await new Promise((r) => setTimeout(r, 200));
    expect(v.pool.size).toBe(200); // the other 100 were dropped unchecked
    expect(p.isOpen()).toBe(true); // once over budget is not yet abuse
    p.send(MSG.txs, txsFrame(txs(FUNDED, 150, NEXT_NONCE + 300n)));
    await p.closed; // over budget again and again: banned
    expect(v.pool.size).toBe(200);
  });

  it("counts a peer's tx budget in bytes too", async () => {
    const clock = { ms: 0 };
    const size = tx(FUNDED, 0n).length;
    const v = await victim({ budget: { txBytesPerSecond: size * 10 }, now: () => clock.ms });
    const p = await raw(v);
    await accepted(v, p);
    p.send(MSG.txs, txsFrame(txs(FUNDED, 50)));
    await until(() => v.pool.size === 20, 10_000, "in-budget txs admitted");
    await new Promise((r) => setTimeout(r, 200));
    expect(v.pool.size).toBe(20); // 2 s × 10 txs' worth of bytes
  });

  it("handles consensus frames ahead of a tx flood received before them", async () => {
    const v = await victim();
    const p = await raw(v);
    await accepted(v, p);
    p.send(MSG.txs, txsFrame(txs(FUNDED, 1000)));
    p.send(MSG.vote, new Uint8Array([1, 2, 3]));
    await until(() => v.consensus.length === 1, 10_000, "vote handled");
    expect(v.consensus[0]?.admitted).toBeLessThan(1000);
    await until(() => v.pool.size === 1000, 30_000, "every tx admitted in later turns");
  });

  it("answers a txRequest once per distinct hash, and requests a repeated announcement once", async () => {
    const v = await victim();
    const have = tx(FUNDED, NEXT_NONCE);
    v.pool.set(toHex(sha256(have)), have);
    const p = await raw(v);
    await accepted(v, p);
    p.send(MSG.txRequest, hashesFrame(Array.from({ length: 2000 }, () => sha256(have))));
    await until(() => txsReceived(p) >= 1, 10_000, "answer");
    await new Promise((r) => setTimeout(r, 300));
    expect(txsReceived(p)).toBe(1);
    const unknown = sha256(tx(FUNDED, NEXT_NONCE + 1n));
    p.send(MSG.txAnnounce, hashesFrame(Array.from({ length: 2000 }, () => unknown)));
    await until(() => p.frames.some((f) => f.type === MSG.txRequest), 10_000, "request");
    const asked = p.frames
      .filter((f) => f.type === MSG.txRequest)
      .reduce((s, f) => s + decode(TxHashesMsgCodec, f.payload).hashes.length / 32, 0);
    expect(asked).toBe(1);
  });

  it("bans a peer for a malformed frame of every gossip type", async () => {
    const good = txsFrame([tx(FUNDED, NEXT_NONCE)]);
    const cases: [string, number, Uint8Array][] = [
      ["tx: garbage", MSG.tx, new Uint8Array([1, 2, 3])],
      ["tx: not a tx", MSG.tx, encode(TxMsgCodec, { tx: new Uint8Array([9, 9, 9]) })],
      ["txs: trailing bytes", MSG.txs, new Uint8Array([...good, 0])],
      ["txs: truncated", MSG.txs, good.subarray(0, good.length - 1)],
      ["txAnnounce: partial hash", MSG.txAnnounce, encode(TxHashesMsgCodec, { hashes: new Uint8Array(33) })],
      ["txAnnounce: trailing bytes", MSG.txAnnounce, new Uint8Array([...hashesFrame([randomBytes(32)]), 1])],
      ["txRequest: garbage", MSG.txRequest, new Uint8Array([1, 2, 3])],
      ["txRequest: partial hash", MSG.txRequest, encode(TxHashesMsgCodec, { hashes: new Uint8Array(31) })],
    ];
    for (const [what, type, payload] of cases) {
      const v = await victim(); // a fresh node each time: four bans from one IP would ban the IP
      const p = await raw(v);
      await accepted(v, p);
      p.send(type, payload);
      await Promise.race([p.closed, new Promise((r) => setTimeout(r, 5000))]);
      expect(p.isOpen(), what).toBe(false);
      expect(v.n.t.isConnected(p.nodeId), what).toBe(false);
    }
  }, 60_000);
});
