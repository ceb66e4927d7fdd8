import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTx, signTx } from "../../../src/core/chain/tx.js";
import { encode, fromHex } from "../../../src/core/codec/index.js";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { MSG, TxsMsgCodec } from "../../../src/node/messages.js";
import { P2P_DEFAULTS } from "../../../src/node/p2p/peer-slots.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { killAllDevnets } from "../../helpers/devnet.js";
import { sybilSwarm } from "../../helpers/p2p.js";
import { connectRawPeer, type RawPeer, until } from "../../helpers/raw-peer.js";

/**
 * Issue 24 items 4 and 5 on real node processes (a 4-validator devnet on 127.0.0.1), attacked from this
 * process by raw peers that do the real handshake with their own node keys. The chain must keep finalizing
 * while each attack runs.
 */
describe("devnet under p2p attack (4 validator processes)", () => {
  let home: string;
  let cleanup: () => void;
  let up: any;
  const chain: { chainId: string; genesisHash: Uint8Array } = {
    chainId: "",
    genesisHash: new Uint8Array(32),
  };

  /** /v1/status, retried: a kept-alive socket the node closed while this process was busy signing fails once. */
  const status = async (n: any): Promise<any> => {
    for (let i = 0; ; i++) {
      try {
        return await (await fetch(`${n.apiUrl}/v1/status`)).json();
      } catch (err) {
        if (i >= 3) throw err;
      }
    }
  };
  const height = async (n: any) => Number((await status(n)).height);
  const adminPeers = async (n: any): Promise<{ id: string; reserved: boolean }[]> => {
    const token = readFileSync(join(n.home, "admin-token"), "utf8").trim();
    const r = await fetch(`${n.apiUrl}/admin/peers`, { headers: { authorization: `Bearer ${token}` } });
    return ((await r.json()) as any).peers;
  };
  const cli = (...args: string[]) => runCli([...args, "--devnet", "attacks"], { home, timeout: 60_000 });

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--name", "attacks", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
    const s = await status(up.nodes[0]);
    chain.chainId = s.chainId;
    chain.genesisHash = fromHex(s.genesisHash, 32);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("sybils holding every free slot do not keep a restarted validator out; one validator down, 3 of 4 finalize", async () => {
    const [n0, n1, , n3] = up.nodes;
    const ids = await Promise.all(up.nodes.map(async (n: any) => (await status(n)).nodeId as string));
    // Given sybils that take every slot of every node and take back any slot that frees up
    const swarms = up.nodes.map((n: any) => sybilSwarm(n.p2pUrl, 60, { ...chain, retryMs: 250 }));
    try {
      // (here, all from 127.0.0.1: at most maxInboundPerIp of them per node besides the 3 validator links;
      // without that cap they take all 50)
      await until(
        async () =>
          (await Promise.all(up.nodes.map(status))).every(
            (s: any) => s.peers >= 3 + P2P_DEFAULTS.maxInboundPerIp,
          ),
        60_000,
        "sybils take every slot they can",
      );
      await new Promise((r) => setTimeout(r, 3000));
      // When a validator restarts (its old slots are taken by sybils meanwhile)
      expect((await cli("devnet", "restart", n1.name)).code).toBe(0);
      // Then it gets its links to the three other validators back
      await until(
        async () => {
          const peers = await adminPeers(n1).catch(() => []);
          return ids
            .filter((id) => id !== ids[1])
            .every((id) => peers.some((p) => p.id === id && p.reserved));
        },
        60_000,
        "restarted validator reconnected to its configured peers",
      );
      // and with another validator paused, the remaining three still finalize
      expect((await cli("devnet", "pause", n3.name)).code).toBe(0);
      try {
        const h = await height(n0);
        await until(
          async () => (await height(n0)) >= h + 3,
          60_000,
          "3 of 4 validators finalize under attack",
        );
      } finally {
        expect((await cli("devnet", "resume", n3.name)).code).toBe(0);
      }
    } finally {
      for (const s of swarms) s.stop();
    }
  }, 240_000);

  it("junk txs from unfunded senders get their senders banned and do not stall finality", async () => {
    const [n0, n1] = up.nodes;
    // 15 frames of 1,000 validly signed txs from an unfunded key, each tx new (no repeats to remember).
    const secretKey = new Uint8Array(32).fill(0x5a);
    const from = getPublicKey(secretKey);
    const frames: Uint8Array[] = [];
    for (let f = 0; f < 15; f++) {
      const txs = Array.from({ length: 1000 }, (_, i) =>
        encodeTx(
          signTx(secretKey, {
            chainId: chain.chainId,
            from,
            nonce: BigInt(f * 1000 + i),
            fee: 0n,
            payload: { type: "transfer", value: { to: new Uint8Array(20).fill(1), amount: 1n } },
          }),
        ),
      );
      frames.push(encode(TxsMsgCodec, { txs }));
    }
    // Two attackers (one per victim) send one frame a second, reconnecting with a fresh key when dropped.
    let banned = 0;
    const attackers: (RawPeer | null)[] = [null, null];
    const victims = [n0, n1];
    const start = await height(n0);
    const heights: number[] = [];
    for (let second = 0; second < 15; second++) {
      for (let k = 0; k < 2; k++) {
        const a = attackers[k];
        if (a && !a.isOpen()) {
          banned++;
          attackers[k] = null;
        }
        if (!attackers[k])
          attackers[k] = await connectRawPeer(victims[k].p2pUrl, chain, 3000).catch(() => null);
        attackers[k]?.send(MSG.txs, frames[second % frames.length] as Uint8Array); // victims remember apart
      }
      await new Promise((r) => setTimeout(r, 1000));
      heights.push(await height(n0));
    }
    for (const a of attackers) a?.close();
    // The attackers were dropped (and, after a few fresh keys, refused at the handshake).
    expect(banned).toBeGreaterThanOrEqual(2);
    // Finality went on during the attack: no 5-second stretch without a new block.
    for (let i = 5; i < heights.length; i++)
      expect(heights[i], `blocks at seconds ${i - 5}..${i}`).toBeGreaterThan(heights[i - 5] as number);
    expect(heights.at(-1)).toBeGreaterThan(start + 5);
  }, 180_000);
});
