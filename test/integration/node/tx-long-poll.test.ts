import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeTx, hashTx, type Tx } from "../../../src/core/chain/tx.js";
import { toHex } from "../../../src/core/codec/index.js";
import { MAX_TX_WAIT_MS } from "../../../src/node/api/tx-waiters.js";
import type { RunningNode } from "../../../src/node/create-node.js";
import { tempDir } from "../../helpers/cli.js";
import { devTransfer, parkedWaiters, startIdleNode, until } from "../../helpers/long-poll.js";

/**
 * `GET /v1/txs/:hash?wait=final&timeoutMs=N` (issue 22 item 3) on real nodes in this process: real LevelDB
 * in temp dirs, HTTP on 127.0.0.1. Node A is a lone validator in idle mode (a tx commits at once, else no
 * blocks); node B is one of two validators with the other never started, so nothing commits and a tx stays
 * pending (and its request time limit, 300 ms, is below the waits asked of it).
 */

interface Answer {
  status: number;
  body: {
    status?: string;
    height?: string;
    chainId?: string;
    error?: { code: string; message: string; data?: object };
  };
}

async function get(url: string, path: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(`${url}${path}`, signal ? { signal } : {});
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

async function post(url: string, tx: Tx): Promise<Answer> {
  const res = await fetch(`${url}/v1/txs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tx: toHex(encodeTx(tx)) }),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

describe("GET /v1/txs/:hash?wait=final (long-poll finality)", () => {
  let a: RunningNode;
  let b: RunningNode | undefined;
  const cleanups: (() => void)[] = [];
  let chainA = "";
  let chainB = "";
  let committedHash = "";

  beforeAll(async () => {
    const da = tempDir("fastpos-longpoll-a-");
    const db = tempDir("fastpos-longpoll-b-");
    cleanups.push(da.cleanup, db.cleanup);
    a = await startIdleNode(da.dir, 1, { maxTxWaiters: 2 });
    // B's request time limit is shorter than the waits asked of it: a long-poll gets its wait on top.
    b = await startIdleNode(db.dir, 2, { requestTimeoutMs: 300 });
    chainA = (await get(a.apiUrl, "/v1/status")).body.chainId as string;
    chainB = (await get(b.apiUrl, "/v1/status")).body.chainId as string;
    // Node A has made its first block (so the next one is made for our tx).
    await until(async () => Number((await get(a.apiUrl, "/v1/status")).body.height) >= 1, "block 1");
  }, 60_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    for (const c of cleanups) c();
  }, 60_000);

  it("answers a parked request the moment the tx's block commits", async () => {
    const tx = devTransfer(chainA, 0n);
    const hash = toHex(hashTx(tx));
    committedHash = hash;
    // Given a request parked for a tx the node has not seen yet
    const answer = get(a.apiUrl, `/v1/txs/${hash}?wait=final&timeoutMs=${MAX_TX_WAIT_MS}`);
    await until(async () => (await parkedWaiters(a.apiUrl)) === 1, "the request to park");
    // When the tx is submitted (and its block commits)
    expect((await post(a.apiUrl, tx)).status).toBe(202);
    // Then the parked request answers with the committed tx, and nothing is left waiting
    const r = await answer;
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("committed");
    expect(Number(r.body.height)).toBeGreaterThanOrEqual(2);
    expect(await parkedWaiters(a.apiUrl)).toBe(0);
    // A committed tx is answered at once, wait or not.
    expect((await get(a.apiUrl, `/v1/txs/${hash}?wait=final&timeoutMs=1`)).body.status).toBe("committed");
  }, 60_000);

  it("at the end of its wait answers as a plain GET: 200 pending, or 404 NOT_FOUND", async () => {
    const node = b as RunningNode;
    const tx = devTransfer(chainB, 0n);
    const hash = toHex(hashTx(tx));
    expect((await post(node.apiUrl, tx)).status).toBe(202);
    let t0 = performance.now();
    const pending = await get(node.apiUrl, `/v1/txs/${hash}?wait=final&timeoutMs=600`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(590); // it waited (lower bound, not a speed claim)
    expect(pending.status).toBe(200);
    expect(pending.body.status).toBe("pending");
    const unknown = `0x${"ab".repeat(32)}`;
    t0 = performance.now();
    const missing = await get(a.apiUrl, `/v1/txs/${unknown}?wait=final&timeoutMs=200`);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe("NOT_FOUND");
    expect(await parkedWaiters(a.apiUrl)).toBe(0);
  }, 60_000);

  it("refuses a bad wait or timeoutMs with 400 and a typed error", async () => {
    const hash = `0x${"cd".repeat(32)}`;
    const cases: [string, string][] = [
      ["wait=final&timeoutMs=-1", "BAD_TIMEOUT"],
      ["wait=final&timeoutMs=abc", "BAD_TIMEOUT"],
      ["wait=final&timeoutMs=1.5", "BAD_TIMEOUT"],
      ["wait=final&timeoutMs=", "BAD_TIMEOUT"],
      [`wait=final&timeoutMs=${MAX_TX_WAIT_MS + 1}`, "BAD_TIMEOUT"],
      ["wait=final&timeoutMs=99999999999999999999", "BAD_TIMEOUT"],
      ["timeoutMs=100", "BAD_TIMEOUT"],
      ["wait=committed", "BAD_WAIT"],
      ["wait=", "BAD_WAIT"],
    ];
    for (const [query, code] of cases) {
      const r = await get(a.apiUrl, `/v1/txs/${hash}?${query}`);
      expect([query, r.status, r.body.error?.code]).toEqual([query, 400, code]);
    }
    const tooLong = await get(a.apiUrl, `/v1/txs/${hash}?wait=final&timeoutMs=${MAX_TX_WAIT_MS + 1}`);
    expect(tooLong.body.error?.data).toMatchObject({ max: MAX_TX_WAIT_MS });
  });

  it("holds at most api.maxTxWaiters requests (503 TOO_MANY_WAITERS); one whose client left frees its slot", async () => {
    const ctl = [new AbortController(), new AbortController(), new AbortController()];
    const park = (i: number) =>
      get(a.apiUrl, `/v1/txs/0x${String(i).repeat(64)}?wait=final&timeoutMs=20000`, ctl[i]?.signal).catch(
        (err: Error) => err,
      );
    try {
      const first = [park(0), park(1)];
      await until(async () => (await parkedWaiters(a.apiUrl)) === 2, "two parked requests");
      const refused = await get(a.apiUrl, `/v1/txs/0x${"3".repeat(64)}?wait=final&timeoutMs=20000`);
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe("TOO_MANY_WAITERS");
      expect(refused.body.error?.data).toMatchObject({ max: 2 });
      // A plain GET is still answered.
      expect((await get(a.apiUrl, `/v1/txs/0x${"3".repeat(64)}`)).status).toBe(404);
      // So is a wait for a tx that is already final.
      const final = await get(a.apiUrl, `/v1/txs/${committedHash}?wait=final&timeoutMs=20000`);
      expect([final.status, final.body.status]).toEqual([200, "committed"]);
      ctl[0]?.abort();
      await first[0];
      await until(async () => (await parkedWaiters(a.apiUrl)) === 1, "the aborted request to leave");
      const again = park(2);
      await until(async () => (await parkedWaiters(a.apiUrl)) === 2, "a new request to park");
      for (const c of ctl) c.abort();
      await Promise.all([again, first[1]]);
      await until(async () => (await parkedWaiters(a.apiUrl)) === 0, "every request to leave");
    } finally {
      for (const c of ctl) c.abort();
    }
  }, 60_000);

  it("a stopping node answers its parked requests 503 NODE_STOPPING", async () => {
    const node = b as RunningNode;
    const answer = get(node.apiUrl, `/v1/txs/0x${"ef".repeat(32)}?wait=final&timeoutMs=20000`);
    await until(async () => (await parkedWaiters(node.apiUrl)) === 1, "the request to park");
    await node.stop();
    b = undefined;
    const r = await answer;
    expect(r.status).toBe(503);
    expect(r.body.error?.code).toBe("NODE_STOPPING");
  }, 60_000);
});
