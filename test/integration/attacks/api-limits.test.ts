import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { encodeTx, type Tx } from "../../../src/core/chain/tx.js";
import { toHex } from "../../../src/core/codec/index.js";
import { devnetDir } from "../../../src/devnet/state.js";
import { loadKeypair } from "../../../src/keystore/keys-service.js";
import { createKeystore } from "../../../src/keystore/keystore.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { alive, killAllDevnets } from "../../helpers/devnet.js";
import { httpRequest, rawHttp, statusOf } from "../../helpers/raw-http.js";

/**
 * Issue 24 items 7 and 10, from raw clients against a real node started with tight limits: the batch size
 * cap, the per-IP tx budget (a batch of N costs N), the `/v1/events` subscriber cap and the per-IP limiter
 * on WebSocket upgrades. Each case speaks from its own loopback source address (127.0.0.x), i.e. as its own
 * client IP, so the budgets of one case do not leak into the next.
 */
describe("API limits (real node, raw clients)", () => {
  let home: string;
  let cleanup: () => void;
  let node: { apiUrl: string; pid: number };
  let from: Uint8Array;
  let chainId: string;
  let nonce = 0n;
  let heightBefore = 0n;

  const status = async () =>
    JSON.parse((await httpRequest(`${node.apiUrl}/v1/status`, { localAddress: "127.0.0.99" })).text);

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "1", "--name", "limits", "--json"], {
      home,
      timeout: 90_000,
      env: {
        FASTPOS_API_MAX_BATCH_TXS: "500",
        FASTPOS_API_TXS_PER_SECOND_PER_IP: "1",
        FASTPOS_API_REQUESTS_PER_SECOND_PER_IP: "20",
        FASTPOS_API_MAX_EVENT_SUBSCRIBERS: "8",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    node = r.json().nodes[0];
    const alice = await loadKeypair(createKeystore(devnetDir(home, "limits")), "alice");
    from = alice.publicKey;
    const s = await status();
    chainId = s.chainId;
    heightBefore = BigInt(s.height);
    nonce = 1_000_000n;
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  /** `n` transfers from a funded account with fresh nonces and random (invalid) signatures, hex-encoded. */
  const txs = (n: number) =>
    Array.from({ length: n }, () => {
      const tx: Tx = {
        body: {
          chainId,
          from,
          nonce: nonce++,
          fee: 1n,
          payload: { type: "transfer", value: { to: new Uint8Array(20).fill(7), amount: 1n } },
        },
        signature: randomBytes(64),
      };
      return { tx: toHex(encodeTx(tx)) };
    });

  it("refuses a batch over api.maxBatchTxs with 400 BAD_BATCH", async () => {
    const r = await httpRequest(`${node.apiUrl}/v1/txs/batch`, {
      method: "POST",
      body: JSON.stringify({ txs: txs(501) }),
      localAddress: "127.0.0.11",
    });
    expect(r.status, r.text.slice(0, 200)).toBe(400);
    expect(JSON.parse(r.text).error).toMatchObject({ code: "BAD_BATCH", data: { max: 500 } });
  });

  it("charges a batch of N txs N tokens of the tx budget; txs past it are not verified", async () => {
    // Budget: 1 tx/s, bursts of 2. A batch of 10: 2 are verified (bad signatures), 8 answered RATE_LIMITED.
    const r = await httpRequest(`${node.apiUrl}/v1/txs/batch`, {
      method: "POST",
      body: JSON.stringify({ txs: txs(10) }),
      localAddress: "127.0.0.12",
    });
    expect(r.status, r.text.slice(0, 200)).toBe(202);
    const codes = JSON.parse(r.text).results.map((x: any) => x.error?.code);
    expect(codes.slice(0, 2)).toEqual(["TX_BAD_SIGNATURE", "TX_BAD_SIGNATURE"]);
    expect(codes.slice(2)).toEqual(Array(8).fill("RATE_LIMITED"));
    // The budget is spent: the next txs from this IP are refused before their body is read.
    let limited: { status: number; text: string } | undefined;
    for (let i = 0; i < 10 && !limited; i++) {
      const one = await httpRequest(`${node.apiUrl}/v1/txs`, {
        method: "POST",
        body: JSON.stringify(txs(1)[0]),
        localAddress: "127.0.0.12",
      });
      if (one.status === 429) limited = one;
    }
    expect(limited, "POST /v1/txs got 429 once the tx budget was spent").toBeDefined();
    expect(JSON.parse(limited?.text ?? "{}").error.code).toBe("RATE_LIMITED");
    // Another client's budget is its own.
    const other = await httpRequest(`${node.apiUrl}/v1/txs`, {
      method: "POST",
      body: JSON.stringify(txs(1)[0]),
      localAddress: "127.0.0.13",
    });
    expect(JSON.parse(other.text).error.code).toBe("TX_BAD_SIGNATURE");
  });

  it("refuses /v1/events subscribers over api.maxEventSubscribers with 503 and a JSON error", async () => {
    const url = `${node.apiUrl.replace("http", "ws")}/v1/events`;
    const open = (localAddress: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, { localAddress });
        ws.once("message", () => resolve(ws)); // the hello event: subscribed
        ws.once("error", reject);
      });
    // Eight subscribers from eight IPs fill the cap.
    const subs = await Promise.all(Array.from({ length: 8 }, (_, i) => open(`127.0.0.${20 + i}`)));
    const upgrade = (ip: string) =>
      rawHttp(
        node.apiUrl,
        "GET /v1/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        5_000,
        ip,
      );
    const refused = await upgrade("127.0.0.30");
    expect(statusOf(refused), refused.split("\r\n")[0]).toBe(503);
    expect(JSON.parse(refused.slice(refused.indexOf("\r\n\r\n") + 4)).error.code).toBe(
      "TOO_MANY_SUBSCRIBERS",
    );
    // A slot freed is a slot to take.
    const closed = new Promise((d) => subs[0]?.once("close", d));
    subs[0]?.close();
    await closed;
    let again = 0;
    for (let i = 0; i < 50 && again !== 101; i++) {
      again = statusOf(await upgrade("127.0.0.31"));
      if (again !== 101) await new Promise((d) => setTimeout(d, 100));
    }
    expect(again).toBe(101);
    for (const ws of subs) ws.terminate();
  });

  it("counts WebSocket upgrades against the per-IP request limit", async () => {
    // Budget: 20 requests/s, bursts of 40. Thirty plain GETs alone fit it; with forty upgrade attempts
    // from the same IP at the same time, the requests past the budget get 429 (upgrades too).
    const upgrade =
      "GET /nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const get = "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const texts = [...Array(40).fill(upgrade), ...Array(30).fill(get)] as string[];
    const answers = await Promise.all(texts.map((t) => rawHttp(node.apiUrl, t, 5_000, "127.0.0.40")));
    const limited = answers.filter((a) => statusOf(a) === 429);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    for (const a of limited) expect(a).toContain('"RATE_LIMITED"');
    // With the budget spent, upgrades themselves are refused with a JSON 429 (not upgraded, not dropped).
    const more = await Promise.all(
      Array.from({ length: 40 }, () => rawHttp(node.apiUrl, upgrade, 5_000, "127.0.0.40")),
    );
    const upgradesLimited = more.filter((a) => statusOf(a) === 429);
    expect(upgradesLimited.length).toBeGreaterThanOrEqual(10);
    expect(upgradesLimited[0]).toContain('"RATE_LIMITED"');
  });

  it("the node kept finalizing through all of it", async () => {
    const deadline = Date.now() + 60_000;
    while (BigInt((await status()).height) < heightBefore + 5n) {
      expect(Date.now() < deadline).toBe(true);
      await new Promise((d) => setTimeout(d, 200));
    }
    expect(alive(node.pid)).toBe(true);
  });
});
