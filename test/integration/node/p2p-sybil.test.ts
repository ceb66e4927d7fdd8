import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { freePorts } from "../../../src/devnet/ports.js";
import { startTransport, stopAll, stopTransport, sybilSwarm, type TestTransport } from "../../helpers/p2p.js";
import { until } from "../../helpers/raw-peer.js";

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
    const meshed = () => nodes.every((n) => connectedTo(n, nodes.filter((o) => o !== n)));
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
});
