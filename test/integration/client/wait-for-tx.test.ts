import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../../src/client/client.js";
import { hashTx } from "../../../src/core/chain/tx.js";
import { toHex } from "../../../src/core/codec/index.js";
import type { RunningNode } from "../../../src/node/create-node.js";
import { tempDir } from "../../helpers/cli.js";
import { devTransfer, parkedWaiters, startIdleNode, until } from "../../helpers/long-poll.js";

/**
 * The SDK's `waitForTx` (issue 22 item 3): finality pushed by the node's long-poll, on real nodes in this
 * process (node A: a lone idle validator; node B: one of two validators, so nothing commits), and the poll
 * fallback against a real HTTP server on 127.0.0.1 that answers as a node without `?wait=final` does.
 */
describe("client.waitForTx", () => {
  let a: RunningNode;
  let b: RunningNode;
  let chainA = "";
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    const da = tempDir("fastpos-wait-a-");
    const db = tempDir("fastpos-wait-b-");
    cleanups.push(da.cleanup, db.cleanup);
    a = await startIdleNode(da.dir, 1, { maxTxWaiters: 1 });
    b = await startIdleNode(db.dir, 2);
    chainA = (await createClient(a.apiUrl).status()).chainId;
    await until(async () => Number((await createClient(a.apiUrl).status()).height) >= 1, "block 1");
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    for (const c of cleanups) c();
  }, 60_000);

  it("parks one request at the node and resolves when the tx commits", async () => {
    const client = createClient(a.apiUrl);
    const tx = devTransfer(chainA, 0n);
    const hash = toHex(hashTx(tx));
    // Given a waitForTx started before the tx exists
    const done = client.waitForTx(hash, { timeoutMs: 60_000 });
    // Then it is one request parked at the node (not a poll loop)
    await until(async () => (await parkedWaiters(a.apiUrl)) === 1, "the SDK's request to park");
    // When the tx is submitted, the wait resolves with its block
    await client.submitTx(tx);
    const t = await done;
    expect(t.status).toBe("committed");
    expect(Number(t.height)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("falls back to polling while every waiter slot is taken (503 TOO_MANY_WAITERS)", async () => {
    const client = createClient(a.apiUrl);
    // Given node A's only waiter slot (api.maxTxWaiters: 1) held by another request
    const ctl = new AbortController();
    const other = fetch(`${a.apiUrl}/v1/txs/0x${"9".repeat(64)}?wait=final&timeoutMs=30000`, {
      signal: ctl.signal,
    }).catch(() => undefined);
    try {
      await until(async () => (await parkedWaiters(a.apiUrl)) === 1, "the other request to park");
      const tx = devTransfer(chainA, 1n);
      const done = client.waitForTx(toHex(hashTx(tx)), { timeoutMs: 60_000 });
      // When the tx commits, the wait still resolves (by polling)
      await client.submitTx(tx);
      expect((await done).status).toBe("committed");
    } finally {
      ctl.abort();
      await other;
    }
  }, 60_000);

  it("throws TIMEOUT when the tx is not final in time", async () => {
    const client = createClient(b.apiUrl);
    const chainB = (await client.status()).chainId;
    const tx = devTransfer(chainB, 0n);
    await client.submitTx(tx);
    await expect(client.waitForTx(toHex(hashTx(tx)), { timeoutMs: 400 })).rejects.toMatchObject({
      code: "TIMEOUT",
    });
    expect(await parkedWaiters(b.apiUrl)).toBe(0);
  }, 60_000);

  describe("against a node without long-poll (answers at once, ignores the query)", () => {
    let server: Server;
    let url: string;
    const seen: string[] = [];
    let firstAt = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.url ?? "");
        firstAt ||= performance.now();
        res.setHeader("content-type", "application/json");
        // Unknown at first, then pending, then committed once 300 ms have passed since the first request.
        if (seen.length === 1) {
          res.statusCode = 404;
          return res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "unknown transaction" } }));
        }
        if (performance.now() - firstAt < 300) return res.end(JSON.stringify({ status: "pending", tx: {} }));
        res.end(JSON.stringify({ status: "committed", height: "9", index: 0, tx: {} }));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("polls every intervalMs instead of asking again at once", async () => {
      const t = await createClient(url).waitForTx(`0x${"12".repeat(32)}`, {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      expect(t).toMatchObject({ status: "committed", height: "9" });
      expect(seen.every((u) => u.includes("wait=final"))).toBe(true);
      // ≈300 ms at one request per 50 ms; a client asking again at once would have sent thousands.
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.length).toBeLessThan(40);
    }, 60_000);
  });
});
