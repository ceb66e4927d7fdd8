import { afterEach, describe, expect, it } from "vitest";
import { CHAIN_ID, GENESIS, startTransport, stopAll } from "../../helpers/p2p.js";
import { connectRawPeer, type RawPeer, until } from "../../helpers/raw-peer.js";

/**
 * The encrypted p2p link against a raw peer on 127.0.0.1 (secure-link.ts, docs/network-protocol.md
 * "Encryption"): frames after the handshake are sealed per direction with counter nonces, so a replayed,
 * reordered, altered or plaintext frame closes the link, and a recorded handshake cannot be replayed.
 */
const opts = { chainId: CHAIN_ID, genesisHash: GENESIS };
const APP = 40;

afterEach(stopAll);

async function linked() {
  const node = await startTransport();
  const peer = await connectRawPeer(node.t.listenUrl(), opts);
  await until(() => node.t.isConnected(peer.nodeId), 10_000, "peer established");
  return { node, peer };
}

const closedWithin = async (peer: RawPeer) => {
  await Promise.race([
    peer.closed,
    new Promise((_, reject) => setTimeout(() => reject(new Error("link not closed")), 10_000)),
  ]);
};

describe("encrypted p2p link (raw peer on 127.0.0.1)", () => {
  it("delivers sealed frames both ways, and the node's frames are not plaintext on the wire", async () => {
    const { node, peer } = await linked();
    const wire: Buffer[] = [];
    peer.ws.on("message", (d: Buffer) => wire.push(Buffer.from(d)));
    peer.send(APP, Buffer.from("hello node"));
    await until(() => node.got.length === 1, 10_000, "frame delivered");
    expect(Buffer.from(node.got[0]?.payload ?? []).toString()).toBe("hello node");
    const secret = Buffer.from("a secret payload from the node");
    node.t.send(peer.nodeId, APP, secret);
    await until(() => peer.frames.some((f) => f.type === APP), 10_000, "node frame received");
    expect(Buffer.from(peer.frames.find((f) => f.type === APP)?.payload ?? []).equals(secret)).toBe(true);
    expect(wire.some((w) => w.includes(secret))).toBe(false);
  });

  it("closes the link on a tampered ciphertext frame", async () => {
    const { node, peer } = await linked();
    const sealed = peer.seal(APP, Buffer.from("pay 1 to alice"));
    sealed[3] = (sealed[3] as number) ^ 0x20;
    peer.sendRaw(sealed);
    await closedWithin(peer);
    expect(node.got).toEqual([]);
    expect(node.t.isConnected(peer.nodeId)).toBe(false);
  });

  it("closes the link on a replayed frame, after delivering the original once", async () => {
    const { node, peer } = await linked();
    peer.send(APP, Buffer.from("once"));
    await until(() => node.got.length === 1, 10_000, "original delivered");
    peer.sendRaw(peer.sent[0] as Buffer);
    await closedWithin(peer);
    expect(node.got.length).toBe(1);
  });

  it("closes the link on reordered frames and delivers neither", async () => {
    const { node, peer } = await linked();
    const first = peer.seal(APP, Buffer.from("first"));
    const second = peer.seal(APP, Buffer.from("second"));
    peer.sendRaw(second);
    peer.sendRaw(first);
    await closedWithin(peer);
    expect(node.got).toEqual([]);
  });

  it("closes the link on a plaintext app frame after the handshake", async () => {
    const { node, peer } = await linked();
    peer.sendRaw(Uint8Array.from([APP, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]));
    await closedWithin(peer);
    expect(node.got).toEqual([]);
  });

  it("refuses a replayed handshake (Hello and Auth recorded from an earlier connection)", async () => {
    const connected: string[] = [];
    const node = await startTransport({ onPeerConnected: (p) => connected.push(p.id) });
    let recorded: { hello: Uint8Array; auth: Uint8Array } | undefined;
    const first = await connectRawPeer(node.t.listenUrl(), {
      ...opts,
      onHandshakeFrames: (hello, auth) => {
        recorded = { hello, auth };
      },
    });
    await until(() => node.t.isConnected(first.nodeId), 10_000, "first connection");
    first.close();
    await until(() => !node.t.isConnected(first.nodeId), 10_000, "first connection gone");
    const rec = recorded as { hello: Uint8Array; auth: Uint8Array };
    // The node's fresh nonce is not in the recorded Auth's signature: it refuses, never establishes.
    const replay = await connectRawPeer(node.t.listenUrl(), {
      ...opts,
      replayHello: rec.hello,
      replayAuth: rec.auth,
    }).catch(() => undefined);
    if (replay) await closedWithin(replay);
    expect(connected).toEqual([first.nodeId]);
  });

  it("refuses a low-order ephemeral key in the Hello", async () => {
    const node = await startTransport();
    await expect(
      connectRawPeer(node.t.listenUrl(), { ...opts, ephemeralKey: new Uint8Array(32) }),
    ).rejects.toThrow(/closed during the handshake/);
    expect(node.t.peers()).toEqual([]);
  });
});
