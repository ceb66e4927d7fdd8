import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransferTx, encodeTx } from "../../../src/core/chain/tx.js";
import { toHex } from "../../../src/core/codec/index.js";
import { loadKeypair } from "../../../src/keystore/keys-service.js";
import { createKeystore } from "../../../src/keystore/keystore.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { alive, killAllDevnets } from "../../helpers/devnet.js";

/**
 * Issue 24 item 11: a tx the API answered 202 for must survive a clean stop of that node. Before the fix,
 * gossip queued for the next event-loop turn and `ws.terminate()` dropped it, so a tx acknowledged in the
 * same turn as SIGTERM was gone from every node.
 */
describe("a clean stop right after acknowledging txs", () => {
  let home: string;
  let cleanup: () => void;
  let up: { chainId: string; nodes: { apiUrl: string; home: string; name: string }[] };

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--name", "stop", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  const included = async (api: string, hash: string) => {
    const r = await fetch(`${api}/v1/txs/${hash}`).catch(() => undefined);
    return r?.ok === true && ((await r.json()) as { status: string }).status === "committed";
  };

  it("finalizes every acknowledged tx although the node stopped in the same turn as the last ack", async () => {
    const alice = await loadKeypair(createKeystore(join(home, "devnets", "stop")), "alice");
    const bob = await loadKeypair(createKeystore(join(home, "devnets", "stop")), "bob");
    const victim = up.nodes[1] as (typeof up.nodes)[0];
    const witness = up.nodes[0] as (typeof up.nodes)[0];
    const pid = () =>
      (
        JSON.parse(readFileSync(join(home, "devnets", "stop", "devnet.json"), "utf8")).nodes as {
          pid: number;
        }[]
      )[1]?.pid as number;
    const account = (await (await fetch(`${witness.apiUrl}/v1/accounts/${alice.address}`)).json()) as {
      nonce: string;
    };
    let nonce = BigInt(account.nonce);
    const acked: string[] = [];
    const victimPid = pid();
    // Given a steady stream of txs to one node (sequential, so acknowledged nonces have no gaps)…
    for (let i = 0; i < 400; i++) {
      const tx = createTransferTx({
        chainId: up.chainId,
        secretKey: alice.secretKey,
        to: bob.address,
        amount: 1n,
        nonce,
      });
      const res = await fetch(`${victim.apiUrl}/v1/txs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tx: toHex(encodeTx(tx)) }),
      }).catch(() => undefined);
      if (res?.status !== 202) break;
      acked.push(((await res.json()) as { hash: string }).hash);
      nonce++;
      // …when it is stopped cleanly right after an acknowledgement (in the same turn as the answer)…
      if (i === 150) process.kill(victimPid, "SIGTERM");
    }
    expect(acked.length).toBeGreaterThan(150);
    const deadline = Date.now() + 30_000;
    while (alive(victimPid) && Date.now() < deadline) await new Promise((d) => setTimeout(d, 100));
    expect(alive(victimPid)).toBe(false);
    // Then every acknowledged tx is final on the others, without the stopped node coming back.
    const finalBy = Date.now() + 90_000;
    const missing = new Set(acked);
    while (missing.size && Date.now() < finalBy) {
      for (const h of [...missing]) if (await included(witness.apiUrl, h)) missing.delete(h);
      if (missing.size) await new Promise((d) => setTimeout(d, 250));
    }
    expect([...missing], `${missing.size} of ${acked.length} acknowledged txs lost`).toEqual([]);
    // And the node starts again with its saved mempool (nothing in it is admitted twice or breaks it).
    const started = await runCli(["devnet", "start", victim.name, "--json"], { home });
    expect(started.code, started.stderr).toBe(0);
    const log = readFileSync(join(victim.home, "logs", "node.log"), "utf8");
    expect(log).toMatch(/saved the mempool for the next start/);
  }, 240_000);
});
