import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode, fromHex } from "../../../src/core/codec/index.js";
import { BlockRequestCodec, MSG, StatusMsgCodec, VoteMsgCodec } from "../../../src/node/messages.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { alive, killAllDevnets } from "../../helpers/devnet.js";
import { connectRawPeer, type RawPeer, until } from "../../helpers/raw-peer.js";

/**
 * Issue 24 items 2, 3 and 8: one raw peer (real handshake, its own node key, on 127.0.0.1) against a
 * 4-validator devnet of real processes. Each attack must leave every node finalizing.
 */
describe("consensus and sync frames from a hostile peer", () => {
  let home: string;
  let cleanup: () => void;
  let up: {
    chainId: string;
    nodes: { name: string; apiUrl: string; p2pUrl: string; pid: number; consensusAddress?: string }[];
  };
  let genesisHash: Uint8Array;
  const peers: RawPeer[] = [];
  const status = async (api: string) =>
    (await (await fetch(`${api}/v1/status`)).json()) as { height: string; genesisHash: string };
  const height = async (api: string) => BigInt((await status(api)).height);
  const raw = async (i: number) => {
    const p = await connectRawPeer((up.nodes[i] as { p2pUrl: string }).p2pUrl, {
      chainId: up.chainId,
      genesisHash,
    });
    peers.push(p);
    return p;
  };
  /** Every node's height passes what it was by `blocks` within the bound. */
  async function allFinalize(blocks: bigint, ms = 60_000) {
    const before = await Promise.all(up.nodes.map((n) => height(n.apiUrl)));
    for (const [i, n] of up.nodes.entries())
      await until(
        async () => (await height(n.apiUrl)) >= (before[i] as bigint) + blocks,
        ms,
        `${n.name} finalizes`,
      );
  }

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--name", "raw", "--json"], { home, timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
    genesisHash = fromHex((await status(up.nodes[0]!.apiUrl)).genesisHash, 32);
  }, 120_000);

  afterAll(async () => {
    for (const p of peers) p.close();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("a status claiming height 2^64-1 does not stall a lagging node's sync (item 2)", async () => {
    const victim = up.nodes[3]!;
    expect((await runCli(["devnet", "stop", victim.name], { home })).code).toBe(0);
    const target = (await height(up.nodes[0]!.apiUrl)) + 20n;
    await until(async () => (await height(up.nodes[0]!.apiUrl)) >= target, 60_000, "the others move on");
    expect((await runCli(["devnet", "start", victim.name], { home })).code).toBe(0);
    const liar = await raw(3);
    const lie = encode(StatusMsgCodec, { height: 2n ** 64n - 1n });
    const repeat = setInterval(() => liar.isOpen() && liar.send(MSG.status, lie), 100);
    liar.send(MSG.status, lie);
    try {
      await until(async () => (await height(victim.apiUrl)) >= target, 60_000, "the victim catches up");
      await until(async () => (await fetch(`${victim.apiUrl}/readyz`)).status === 200, 60_000, "ready again");
      // The liar, repeating its claim, is found out and dropped (it never delivers a block).
      await until(() => !liar.isOpen(), 30_000, "the liar is banned");
    } finally {
      clearInterval(repeat);
    }
    await allFinalize(3n);
  }, 240_000);

  it("a flood of forged future-height votes is dropped and bans its sender (item 3)", async () => {
    const victim = up.nodes[2]!;
    const flooder = await raw(2);
    const h = await height(victim.apiUrl);
    const validators = (await (await fetch(`${victim.apiUrl}/v1/validators`)).json()) as {
      validators: { address: string }[];
    };
    const addr = fromHex(validators.validators[0]!.address, 20);
    const forged = (vh: bigint) => {
      const vote = {
        type: "prevote" as const,
        height: vh,
        round: 0,
        blockHash: randomBytes(32),
        validator: addr,
      };
      return encode(VoteMsgCodec, { vote, signature: randomBytes(64) });
    };
    // Far-future heights first (dropped without a signature check: beyond the buffer's window)…
    for (let i = 0; i < 2_400 && flooder.isOpen(); i++)
      flooder.send(MSG.vote, forged(h + 1_000n + BigInt(i)));
    // …then ones the node would buffer: their forged signatures ban the sender.
    const now = await height(victim.apiUrl);
    for (let i = 0; i < 100 && flooder.isOpen(); i++)
      flooder.send(MSG.vote, forged(now + 2n + BigInt(i % 2)));
    await until(() => !flooder.isOpen(), 30_000, "the flooder is banned");
    await allFinalize(5n);
    const tip = await height(up.nodes[0]!.apiUrl);
    expect(await height(victim.apiUrl)).toBeGreaterThanOrEqual(tip - 2n);
  }, 180_000);

  it("garbage block sync frames ban the sender instead of only being logged (item 8)", async () => {
    for (const type of [MSG.blockRequest, MSG.blockResponse]) {
      const p = await raw(1);
      for (let i = 0; i < 50 && p.isOpen(); i++) p.send(type, randomBytes(40));
      await until(() => !p.isOpen(), 30_000, `banned for garbage of type ${type}`);
    }
    // A well-formed request is still served to an honest asker.
    const asker = await raw(0);
    asker.send(MSG.blockRequest, encode(BlockRequestCodec, { from: 1n, count: 4 }));
    await until(() => asker.frames.some((f) => f.type === MSG.blockResponse), 30_000, "blocks served");
    const now = (await runCli(["devnet", "status", "--json"], { home })).json().nodes as typeof up.nodes;
    for (const n of now) expect(alive(n.pid), `${n.name} alive`).toBe(true);
    await allFinalize(3n);
  }, 120_000);
});
