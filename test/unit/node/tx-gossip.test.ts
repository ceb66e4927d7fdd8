import { describe, expect, it } from "vitest";
import { createTransferTx, encodeTx, type Tx } from "../../../src/core/chain/tx.js";
import { decode, encode, toHex } from "../../../src/core/codec/index.js";
import { sha256 } from "../../../src/core/crypto/index.js";
import { MSG, TxMsgCodec, TxsMsgCodec } from "../../../src/node/messages.js";
import type { Transport } from "../../../src/node/p2p/transport.js";
import { createTxGossip } from "../../../src/node/tx-gossip.js";

const txBytes = (nonce: bigint) =>
  encodeTx(
    createTransferTx({
      chainId: "t",
      secretKey: new Uint8Array(32).fill(7),
      to: new Uint8Array(20).fill(1),
      amount: 1n,
      nonce,
    }),
  );

function fakeTransport() {
  const sent: { peer: string; type: number; payload: Uint8Array }[] = [];
  const banned: string[] = [];
  const transport = {
    peers: () => ["p1", "p2", "p3"].map((id) => ({ id })),
    send: (peer: string, type: number, payload: Uint8Array) => sent.push({ peer, type, payload }) > 0,
    misbehave: (peer: string) => banned.push(peer),
  } as unknown as Transport;
  return { transport, sent, banned };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("tx gossip", () => {
  it("sends queued txs as one frame per peer, never back to their source", async () => {
    const { transport, sent } = fakeTransport();
    const g = createTxGossip({ transport, known: () => false, admit: () => true, maxFrameBytes: 1 << 20 });
    const a = txBytes(0n);
    const b = txBytes(1n);
    g.queue(a);
    g.queue(b, "p2");
    expect(sent).toHaveLength(0);
    await tick();
    const frames = sent.map((s) => [s.peer, s.type, decode(TxsMsgCodec, s.payload).txs.length]);
    expect(frames).toEqual([
      ["p1", MSG.txs, 2],
      ["p2", MSG.txs, 1],
      ["p3", MSG.txs, 2],
    ]);
  });

  it("splits a frame at the byte limit", async () => {
    const { transport, sent } = fakeTransport();
    const a = txBytes(0n);
    const g = createTxGossip({
      transport,
      known: () => false,
      admit: () => true,
      maxFrameBytes: (a.length + 4) * 2,
    });
    for (let i = 0n; i < 5n; i++) g.queue(txBytes(i), "p2");
    await tick();
    expect(sent.filter((s) => s.peer === "p1").map((s) => decode(TxsMsgCodec, s.payload).txs.length)).toEqual(
      [2, 2, 1],
    );
  });

  it("admits received txs it does not know (by the hash of their bytes) and relays the admitted ones", async () => {
    const { transport, sent } = fakeTransport();
    const a = txBytes(0n);
    const b = txBytes(1n);
    const admitted: [Tx, string][] = [];
    const g = createTxGossip({
      transport,
      known: (h) => h === toHex(sha256(a)),
      admit: (tx, _bytes, hash) => admitted.push([tx, hash]) > 0,
      maxFrameBytes: 1 << 20,
    });
    g.onMessage("p1", MSG.txs, encode(TxsMsgCodec, { txs: [a, b] }));
    g.onMessage("p3", MSG.tx, encode(TxMsgCodec, { tx: a }));
    expect(admitted.map(([tx, hash]) => [tx.body.nonce, hash])).toEqual([[1n, toHex(sha256(b))]]);
    await tick();
    expect(sent.map((s) => s.peer)).toEqual(["p2", "p3"]);
  });

  it("drops a peer that sends garbage or a tx with a bad signature", () => {
    const { transport, banned } = fakeTransport();
    const g = createTxGossip({
      transport,
      known: () => false,
      admit: () => {
        throw Object.assign(new Error("bad"), { code: "TX_BAD_SIGNATURE" });
      },
      maxFrameBytes: 1 << 20,
    });
    g.onMessage("p1", MSG.txs, new Uint8Array([1, 2, 3]));
    g.onMessage("p2", MSG.txs, encode(TxsMsgCodec, { txs: [new Uint8Array([9, 9])] }));
    g.onMessage("p3", MSG.txs, encode(TxsMsgCodec, { txs: [txBytes(0n)] }));
    expect(banned).toEqual(["p1", "p2", "p3"]);
  });
});
