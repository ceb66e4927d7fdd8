import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { voteSignBytes } from "../../../src/core/chain/commit.js";
import { encode, fromHex } from "../../../src/core/codec/index.js";
import { addressBytes, getPublicKey, sign } from "../../../src/core/crypto/index.js";
import { readKeyFile } from "../../../src/node/home.js";
import { MSG, VoteMsgCodec } from "../../../src/node/messages.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { killAllDevnets } from "../../helpers/devnet.js";
import { connectRawPeer, type RawPeer, until } from "../../helpers/raw-peer.js";

/**
 * Issue 23 item 2: at least 1/3 byzantine. A raw peer holding three of four validator keys (a devnet's,
 * read from its node homes) sends their precommits for ANOTHER block at the height the node has just
 * committed, during its commit wait: that is a second commit for one height. The node must halt consensus
 * loudly — a fatal log line, `halted` in /v1/status, `fastpos_consensus_halted 1` — instead of going on.
 */
describe("two commits for one height", () => {
  let home: string;
  let cleanup: () => void;
  let up: { chainId: string; nodes: { name: string; apiUrl: string; p2pUrl: string }[] };
  let peer: RawPeer | undefined;
  const status = async (api: string) =>
    (await (await fetch(`${api}/v1/status`)).json()) as Record<string, unknown>;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--name", "dc", "--json"], { home, timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
  }, 120_000);

  afterAll(async () => {
    peer?.close();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("halts consensus with a fatal log line, status and metric, and commits nothing more", async () => {
    const victim = up.nodes[0] as { name: string; apiUrl: string; p2pUrl: string };
    const keys = [1, 2, 3].map((i) => {
      const file = join(home, "devnets", "dc", `node${i}`, "validator-key.json");
      const { secretKey } = readKeyFile(file);
      return { secretKey, address: addressBytes(getPublicKey(secretKey)) };
    });
    const genesisHash = fromHex(String((await status(victim.apiUrl)).genesisHash), 32);
    peer = await connectRawPeer(victim.p2pUrl, { chainId: up.chainId, genesisHash });
    const other = new Uint8Array(32).fill(0xee);
    const precommits = (height: bigint) =>
      keys.map((k) => {
        const vote = { type: "precommit" as const, height, round: 1, blockHash: other, validator: k.address };
        return encode(VoteMsgCodec, { vote, signature: sign(k.secretKey, voteSignBytes(up.chainId, vote)) });
      });
    // The commit wait is short (dev preset): keep sending for the latest committed height until it lands.
    await until(
      async () => {
        const s = await status(victim.apiUrl);
        if (s.halted) return true;
        for (const p of precommits(BigInt(String(s.height)))) peer?.send(MSG.vote, p);
        return false;
      },
      90_000,
      "the node halts",
    );
    const s = await status(victim.apiUrl);
    const halted = s.halted as { height: string; ours: string; theirs: string; reason: string };
    expect(halted.reason).toBe("two commits for one height");
    expect(halted.theirs).toBe(`0x${"ee".repeat(32)}`);
    expect(halted.ours).not.toBe(halted.theirs);
    const log = readFileSync(join(home, "devnets", "dc", "node0", "logs", "node.log"), "utf8");
    const fatal = log.split("\n").find((l) => l.includes("CONSENSUS HALTED"));
    expect(fatal, "a fatal log line").toBeDefined();
    expect(JSON.parse(fatal as string).level).toBe(60);
    const metrics = await (await fetch(`${victim.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^fastpos_consensus_halted 1$/m);
    // Consensus stays stopped: the height does not move on while the API keeps answering.
    const at = String(s.height);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(String((await status(victim.apiUrl)).height)).toBe(at);
  }, 180_000);
});
