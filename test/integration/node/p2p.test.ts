import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { createTransport, type PeerInfo, type Transport } from "../../../src/node/p2p/transport.js";

const silent = { debug() {}, info() {}, warn() {} };
const GENESIS = new Uint8Array(32).fill(1);

interface Node {
  t: Transport;
  got: { from: string; type: number; payload: Uint8Array }[];
}

const started: Transport[] = [];

async function node(opts: { peers?: string[]; genesis?: Uint8Array; rate?: number; maxFrame?: number } = {}) {
  const secretKey = randomBytes(32);
  const got: Node["got"] = [];
  const t = createTransport({
    chainId: "test-chain",
    genesisHash: opts.genesis ?? GENESIS,
    nodeKey: { secretKey, publicKey: getPublicKey(secretKey) },
    moniker: "n",
    listen: "127.0.0.1:0",
    peers: opts.peers ?? [],
    maxPeers: 10,
    maxFrameBytes: opts.maxFrame ?? 64 * 1024,
    maxMessagesPerSecond: opts.rate ?? 1000,
    banSeconds: 60,
    peerExchange: true,
    logger: silent,
    onMessage: (p: PeerInfo, type, payload) => got.push({ from: p.id, type, payload }),
  });
  await t.start();
  started.push(t);
  return { t, got };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

describe("p2p transport (real ws on 127.0.0.1)", () => {
  it("authenticates peers and delivers app frames both ways", async () => {
    const a = await node();
    const b = await node({ peers: [a.t.listenUrl()] });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    expect(a.t.peers()[0]?.id).toBe(b.t.nodeId);
    a.t.broadcast(20, new Uint8Array([1, 2, 3]));
    b.t.send(a.t.nodeId, 21, new Uint8Array([9]));
    await until(() => a.got.length === 1 && b.got.length === 1);
    expect(b.got[0]).toEqual({ from: a.t.nodeId, type: 20, payload: new Uint8Array([1, 2, 3]) });
    expect(a.got[0]?.type).toBe(21);
  });

  it("refuses peers of another chain (different genesis hash)", async () => {
    const a = await node();
    const b = await node({ peers: [a.t.listenUrl()], genesis: new Uint8Array(32).fill(2) });
    await new Promise((r) => setTimeout(r, 500));
    expect(a.t.peers()).toEqual([]);
    expect(b.t.peers()).toEqual([]);
  });

  it("a node started with one static peer discovers the others by peer exchange", async () => {
    const a = await node();
    const b = await node({ peers: [a.t.listenUrl()] });
    const c = await node({ peers: [a.t.listenUrl()] });
    await until(() => b.t.peers().length === 2 && c.t.peers().length === 2 && a.t.peers().length === 2);
    expect(new Set(c.t.peers().map((p) => p.id))).toEqual(new Set([a.t.nodeId, b.t.nodeId]));
  });

  it("drops garbage before the handshake and keeps serving honest peers", async () => {
    const a = await node();
    const raw = new WebSocket(`${a.t.listenUrl()}/p2p`);
    await new Promise((r) => raw.once("open", r));
    const closed = new Promise((r) => raw.once("close", r));
    raw.send(Buffer.from("hello there, not a frame"));
    await closed;
    const b = await node({ peers: [a.t.listenUrl()] });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    b.t.broadcast(30, new Uint8Array([7]));
    await until(() => a.got.length === 1);
  });

  it("closes on an oversized frame and bans a peer that sends unknown frame types", async () => {
    const a = await node({ maxFrame: 1024 });
    const b = await node({ peers: [a.t.listenUrl()], maxFrame: 1024 * 1024 });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    b.t.broadcast(40, new Uint8Array(4096)); // over a's 1 KiB limit
    await until(() => a.t.peers().length === 0);
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1); // b reconnects (oversize is not a ban)
    b.t.broadcast(5, new Uint8Array([1])); // reserved transport type after handshake → ban
    await until(() => a.t.peers().length === 0);
    await new Promise((r) => setTimeout(r, 800));
    expect(a.t.peers()).toEqual([]); // banned: reconnects are refused
    expect(a.got).toEqual([]);
  });

  it("bans a peer that exceeds the message rate limit", async () => {
    const a = await node({ rate: 50 });
    const b = await node({ peers: [a.t.listenUrl()] });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    for (let i = 0; i < 500; i++) b.t.broadcast(20, new Uint8Array([i & 0xff]));
    await until(() => a.t.peers().length === 0);
    expect(a.got.length).toBeLessThan(500);
  });

  it("fault injection drops traffic to and from a chosen peer", async () => {
    const a = await node();
    const b = await node({ peers: [a.t.listenUrl()] });
    await until(() => a.t.peers().length === 1 && b.t.peers().length === 1);
    a.t.setFault(b.t.nodeId, { drop: true });
    a.t.broadcast(20, new Uint8Array([1]));
    b.t.broadcast(20, new Uint8Array([2]));
    await new Promise((r) => setTimeout(r, 300));
    expect(a.got).toEqual([]);
    expect(b.got).toEqual([]);
    a.t.setFault(b.t.nodeId, null);
    b.t.broadcast(20, new Uint8Array([3]));
    await until(() => a.got.length === 1);
  });
});
