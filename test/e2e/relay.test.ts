import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeIdOfNode } from "../../src/devnet/faults.js";
import type { DevnetNode } from "../../src/devnet/state.js";
import { nodeFaults, upTestDevnet } from "../helpers/devnet.js";

/**
 * Relay only where needed (issue 22; src/node/relay-links.ts), on a real 4-validator devnet: in a full mesh
 * nearly every relay is skipped; with node0's links to node1 and node2 cut (node0 still reaches node3),
 * node3 relays, so node0 keeps getting every validator's votes and node1 keeps getting node0's.
 */
describe("vote and proposal relay (real 4-validator devnet)", () => {
  let nodes: DevnetNode[];
  let down: () => Promise<void>;

  const metrics = async (n: DevnetNode) => (await fetch(`${n.apiUrl}/metrics`)).text();
  const relays = async (n: DevnetNode) => {
    const t = await metrics(n);
    const get = (o: string) =>
      Number(new RegExp(`^fastpos_p2p_relay_frames_total\\{outcome="${o}"\\} (\\d+)`, "m").exec(t)?.[1] ?? 0);
    return { sent: get("sent"), skipped: get("skipped") };
  };
  /** Votes this node took in, by validator label (the address prefix the metric carries). */
  const votesBy = async (n: DevnetNode) => {
    const by = new Map<string, number>();
    for (const m of (await metrics(n)).matchAll(
      /^fastpos_votes_received_total\{validator="([^"]+)",type="[a-z]+"\} (\d+)/gm,
    ))
      by.set(m[1] as string, (by.get(m[1] as string) ?? 0) + Number(m[2]));
    return by;
  };
  const height = async (n: DevnetNode) =>
    Number(((await (await fetch(`${n.apiUrl}/v1/status`)).json()) as { height: string }).height);
  /** Waits (≤ 60 s) until every node is `more` heights past where the highest one is now. */
  const blocksPass = async (more: number) => {
    const target = Math.max(...(await Promise.all(nodes.map(height)))) + more;
    for (const end = Date.now() + 60_000; Date.now() < end; ) {
      const hs = await Promise.all(nodes.map(height));
      if (Math.min(...hs) >= target) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`not every node reached height ${target} within 60 s`);
  };
  const sum = async () => {
    const all = await Promise.all(nodes.map(relays));
    return all.reduce((a, b) => ({ sent: a.sent + b.sent, skipped: a.skipped + b.skipped }));
  };

  beforeAll(async () => {
    ({ nodes, down } = await upTestDevnet(4, "relay"));
  }, 120_000);

  afterAll(() => down(), 60_000);

  it("in a full mesh, relays are skipped: every node hears every signer first-hand", async () => {
    await blocksPass(3); // links advertised and settled
    const a = await sum();
    await blocksPass(10);
    const b = await sum();
    expect(b.skipped - a.skipped).toBeGreaterThan(0);
    // Without the links frames every relay would be sent: 2 of 3 peers per first-seen message per node.
    expect(b.sent - a.sent).toBeLessThan((b.skipped - a.skipped) / 10);
  }, 120_000);

  it("with node0 reaching only node3, node3 relays: node0 still gets every validator's votes", async () => {
    const [n0, n1, n2, n3] = nodes as [DevnetNode, DevnetNode, DevnetNode, DevnetNode];
    for (const peer of [n1, n2]) {
      const res = await nodeFaults(n0, "POST", { peer: nodeIdOfNode(peer), drop: true });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    await blocksPass(3); // the cut links stop counting (fault at node0, silence at node1 and node2)
    const before0 = await votesBy(n0);
    const before1 = await votesBy(n1);
    const relayed3 = (await relays(n3)).sent;
    await blocksPass(8);
    const after0 = await votesBy(n0);
    const after1 = await votesBy(n1);
    // node0 took in votes of all four validators, two of which only node3 could have passed on.
    const grew0 = [...after0].filter(([v, c]) => c > (before0.get(v) ?? 0)).map(([v]) => v);
    expect(grew0.length, JSON.stringify({ before0: [...before0], after0: [...after0] })).toBe(4);
    // node1, whose link to node0 is silent, took in node0's votes too.
    const grew1 = [...after1].filter(([v, c]) => c > (before1.get(v) ?? 0)).map(([v]) => v);
    expect(grew1.length, JSON.stringify({ before1: [...before1], after1: [...after1] })).toBe(4);
    expect((await relays(n3)).sent).toBeGreaterThan(relayed3);
  }, 180_000);

  it("healed, the links count again and relays stop", async () => {
    const n0 = nodes[0] as DevnetNode;
    const res = await nodeFaults(n0, "DELETE");
    expect(res.status, await res.text()).toBeLessThan(300);
    await blocksPass(3);
    const a = await sum();
    await blocksPass(8);
    const b = await sum();
    expect(b.sent - a.sent).toBeLessThan((b.skipped - a.skipped) / 10);
  }, 120_000);
});
