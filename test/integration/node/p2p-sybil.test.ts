import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { bytesEqual } from "../../../src/core/codec/index.js";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { freePorts } from "../../../src/devnet/ports.js";
import { nodeIdOf } from "../../../src/node/p2p/handshake.js";
import {
  CHAIN_ID,
  GENESIS,
  startTransport,
  stopAll,
  stopTransport,
  sybilSwarm,
  type TestTransport,
} from "../../helpers/p2p.js";
import { connectRawPeer, type RawPeer, type RawPeerOptions, until } from "../../helpers/raw-peer.js";

/**
 * Issue 24 item 5: sybil peers (fresh node keys, real handshakes, from 127.0.0.1) take every slot they
 * can; configured peers must still find a slot, and the mesh must heal after a node restarts.
 */
const swarms: { stop(): void }[] = [];

afterEach(async () => {
  for (const s of swarms.splice(0)) s.stop();
  await stopAll();
});

const connectedTo = (n: TestTransport, others: TestTransport[]) =>
  others.every((o) => n.t.peers().some((p) => p.id === o.t.nodeId));

describe("p2p under a sybil attack (raw peers on 127.0.0.1)", () => {
  it("configured peers reconnect after a restart although sybils hold every free slot", async () => {
    // Given a full mesh of 4 nodes that configure each other as static peers, 8 slots each
    const ports = await freePorts(4);
    const urls = ports.map((p) => `ws://127.0.0.1:${p}`);
    const keys = ports.map(() => randomBytes(32));
    const start = (i: number) =>
      startTransport({
        secretKey: keys[i] as Uint8Array,
        listen: `127.0.0.1:${ports[i]}`,
        peers: urls.filter((_, j) => j !== i),
        maxPeers: 8,
      });
    const nodes = await Promise.all([0, 1, 2, 3].map(start));
    const meshed = () =>
      nodes.every((n) =>
        connectedTo(
          n,
          nodes.filter((o) => o !== n),
        ),
      );
    await until(meshed, 30_000, "initial mesh");
    // When sybils keep every free slot of every node taken
    for (const url of urls) swarms.push(sybilSwarm(url, 12));
    await until(() => nodes.every((n) => n.t.peers().length >= 8), 30_000, "sybils fill the slots");
    // and node 3 restarts, its old slots at the others being taken by sybils while it is down
    await stopTransport((nodes[3] as TestTransport).t);
    await until(
      () => nodes.slice(0, 3).every((n) => n.t.peers().length >= 8),
      30_000,
      "sybils take the freed slots",
    );
    nodes[3] = await start(3);
    // Then the mesh heals while the sybils keep trying
    await until(meshed, 30_000, "mesh healed under attack");
    expect(meshed()).toBe(true);
  }, 90_000);

  it("a node whose own slots are full of sybils still dials a configured peer that comes up later", async () => {
    const [port] = await freePorts(1);
    const url = `ws://127.0.0.1:${port}`;
    const b = await startTransport({ peers: [url], maxPeers: 4 });
    swarms.push(sybilSwarm(b.t.listenUrl(), 8));
    await until(() => b.t.peers().length >= 4, 30_000, "sybils fill b");
    // b's dials to the absent peer fail many times over while b is full
    await new Promise((r) => setTimeout(r, 1500));
    const a = await startTransport({ listen: `127.0.0.1:${port}` });
    await until(() => b.t.isConnected(a.t.nodeId), 30_000, "b reaches its configured peer");
    expect(b.t.peers().find((p) => p.id === a.t.nodeId)?.reserved).toBe(true);
    expect(b.t.peers().length).toBeLessThanOrEqual(4); // a sybil made room
  }, 60_000);

  it("a peer that proves a current validator key gets a slot from a full node; a forged proof is refused", async () => {
    const validatorSecret = randomBytes(32);
    const validatorKey = getPublicKey(validatorSecret);
    const a = await startTransport({ maxPeers: 4, isValidator: (pk) => bytesEqual(pk, validatorKey) });
    swarms.push(sybilSwarm(a.t.listenUrl(), 8));
    await until(() => a.t.peers().length >= 4, 30_000, "sybils fill a");
    const opts: RawPeerOptions = {
      chainId: CHAIN_ID,
      genesisHash: GENESIS,
      validatorSecretKey: validatorSecret,
    };
    // A forged proof: the connection is refused, the slots stay as they were.
    const forged = await connectRawPeer(a.t.listenUrl(), { ...opts, forgeValidatorProof: true });
    await forged.closed;
    expect(a.t.isConnected(forged.nodeId)).toBe(false);
    // A stranger claiming no key is refused at its Hello (the node is full), before the node signs anything.
    await expect(
      connectRawPeer(a.t.listenUrl(), { chainId: CHAIN_ID, genesisHash: GENESIS }),
    ).rejects.toThrow(/closed during the handshake/);
    // The real validator evicts a sybil and stays while the sybils keep trying.
    const v = await connectRawPeer(a.t.listenUrl(), opts);
    await until(() => a.t.isConnected(v.nodeId), 10_000, "validator accepted");
    await new Promise((r) => setTimeout(r, 1000));
    expect(v.isOpen()).toBe(true);
    expect(a.t.peers().find((p) => p.id === v.nodeId)?.reserved).toBe(true);
    v.close();
  }, 60_000);

  it("caps the non-reserved inbound peers of one IP, and configured peers from that IP still get in", async () => {
    const [port] = await freePorts(1);
    const b = await startTransport({ listen: `127.0.0.1:${port}` });
    const a = await startTransport({ maxPeers: 20, maxInboundPerIp: 4, peers: [`ws://127.0.0.1:${port}`] });
    await until(() => a.t.isConnected(b.t.nodeId), 10_000, "configured peer");
    const peers: RawPeer[] = [];
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      const p = await connectRawPeer(a.t.listenUrl(), { chainId: CHAIN_ID, genesisHash: GENESIS }).catch(
        () => null,
      );
      if (p) peers.push(p);
      else refused++;
    }
    await until(() => peers.filter((p) => p.isOpen()).length <= 4, 10_000, "over-cap peers dropped");
    expect(refused).toBe(6); // at their Hello, unsigned
    expect(a.t.peers().filter((p) => !p.reserved)).toHaveLength(4);
    expect(a.t.isConnected(b.t.nodeId)).toBe(true);
    for (const p of peers) p.close();
  }, 60_000);

  it("a fresh node key does not evade bans: after a few bans the IP is refused, configured peers are not", async () => {
    const [port] = await freePorts(1);
    const b = await startTransport({ listen: `127.0.0.1:${port}` });
    const a = await startTransport({ peers: [`ws://127.0.0.1:${port}`] });
    await until(() => a.t.isConnected(b.t.nodeId), 10_000, "configured peer");
    const raw = { chainId: CHAIN_ID, genesisHash: GENESIS };
    // Four sybils, each with a new key, get banned for a reserved frame type.
    for (let i = 0; i < 4; i++) {
      const p = await connectRawPeer(a.t.listenUrl(), raw);
      await until(() => a.t.isConnected(p.nodeId), 10_000, "sybil accepted");
      p.send(5, new Uint8Array([1]));
      await p.closed;
    }
    // The fifth fresh key is refused before the node signs anything.
    await expect(connectRawPeer(a.t.listenUrl(), raw)).rejects.toThrow(/closed during the handshake/);
    // The configured peer, on the same IP, reconnects after its link drops.
    await stopTransport(b.t);
    const b2 = await startTransport({ listen: `127.0.0.1:${port}`, secretKey: b.secretKey });
    await until(() => a.t.isConnected(b2.t.nodeId), 30_000, "configured peer back");
  }, 60_000);

  it("repeated failed handshakes from one IP ban it for strangers", async () => {
    const a = await startTransport();
    const raw = { chainId: CHAIN_ID, genesisHash: GENESIS };
    // 20 strikes ban an IP (they leak away over a ban period, hence a few more attempts)
    for (let i = 0; i < 25; i++) {
      const p = await connectRawPeer(a.t.listenUrl(), { ...raw, forgeAuth: true }).catch(() => null);
      await p?.closed;
    }
    await expect(connectRawPeer(a.t.listenUrl(), raw)).rejects.toThrow(/closed during the handshake/);
    expect(a.t.peers()).toEqual([]);
  }, 60_000);

  it("a configured peer that dialled in first is reserved once this node's own dial proves its id", async () => {
    // Given keys where b's node id is lower, so the connection b initiates is the one both keep
    const [pa, pb] = await freePorts(2);
    let ka = randomBytes(32);
    let kb = randomBytes(32);
    if (nodeIdOf(getPublicKey(kb)) > nodeIdOf(getPublicKey(ka))) [ka, kb] = [kb, ka];
    // a comes up first and fails to reach b for a while; then b comes up and dials a at once
    const a = await startTransport({
      secretKey: ka,
      listen: `127.0.0.1:${pa}`,
      peers: [`ws://127.0.0.1:${pb}`],
    });
    await new Promise((r) => setTimeout(r, 700));
    const b = await startTransport({
      secretKey: kb,
      listen: `127.0.0.1:${pb}`,
      peers: [`ws://127.0.0.1:${pa}`],
    });
    await until(() => a.t.isConnected(b.t.nodeId), 10_000, "connected");
    await until(
      () => a.t.peers().find((p) => p.id === b.t.nodeId)?.reserved === true,
      15_000,
      "b reserved at a",
    );
    expect(a.t.peers()).toHaveLength(1);
  }, 30_000);
});
