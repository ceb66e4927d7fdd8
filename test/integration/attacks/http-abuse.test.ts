import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONNECTIONS_PER_IP } from "../../../src/node/api/http.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { alive, killAllDevnets } from "../../helpers/devnet.js";
import { httpRequest } from "../../helpers/raw-http.js";
import { until } from "../../helpers/raw-peer.js";

/**
 * Issue 23 item 4: bad input to the HTTP API from raw clients on 127.0.0.x against a real node process.
 * Every bad body gets a 4xx with a typed `{error: {code, message}}`; slow-header clients, floods of
 * sockets and concurrent clients do not keep honest clients (their own loopback address) from being
 * answered, and the node keeps finalizing. (Broken request targets: http-requests.test.ts; batch and
 * subscriber limits: api-limits.test.ts, api-batch-flood.test.ts.)
 */
describe("HTTP API abuse (real node, raw clients)", () => {
  let home: string;
  let cleanup: () => void;
  let node: { apiUrl: string; pid: number };
  const honest = "127.0.0.77";
  const status = async () => {
    const r = await httpRequest(`${node.apiUrl}/v1/status`, { localAddress: honest, timeoutMs: 10_000 });
    expect(r.status).toBe(200);
    return JSON.parse(r.text) as { height: string };
  };

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "1", "--name", "abuse", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    node = r.json().nodes[0];
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  const post = (path: string, body: string, localAddress = "127.0.0.31") =>
    httpRequest(`${node.apiUrl}${path}`, {
      method: "POST",
      body,
      localAddress,
      timeoutMs: 20_000,
      headers: { "content-type": "application/json" },
    });
  const expectTypedError = (r: { status: number; text: string }, status: number | number[], what: string) => {
    expect([status].flat(), `${what} → ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
    const body = JSON.parse(r.text) as { error: { code: string; message: string } };
    expect(body.error.code, what).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(typeof body.error.message, what).toBe("string");
  };

  const okTx = {
    chainId: "x",
    type: "transfer",
    from: `0x${"11".repeat(32)}`,
    nonce: "0",
    fee: "1",
    payload: { to: `0x${"22".repeat(20)}`, amount: "1" },
    signature: `0x${"33".repeat(64)}`,
  };
  const bodies: [string, string][] = [
    ["an array nested 100k deep", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
    ["an object nested 50k deep", `${'{"tx":'.repeat(50_000)}1${"}".repeat(50_000)}`],
    [
      "a tx field nested 3k deep",
      JSON.stringify({ ...okTx, payload: JSON.parse(`${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`) }),
    ],
    ["a nonce of 2^64", JSON.stringify({ ...okTx, nonce: "18446744073709551616" })],
    ["a negative amount", JSON.stringify({ ...okTx, payload: { ...okTx.payload, amount: "-1" } })],
    ["a fee of 1e400 as a number", JSON.stringify(okTx).replace('"fee":"1"', '"fee":1e400')],
    ["a fractional nonce", JSON.stringify({ ...okTx, nonce: 1.5 })],
    ["a nonce as an unsafe integer", JSON.stringify(okTx).replace('"nonce":"0"', '"nonce":9007199254740993')],
    ["a 1 MB hex string", JSON.stringify({ tx: `0x${"ab".repeat(500_000)}` })],
    ["odd-length hex", JSON.stringify({ tx: "0xabc" })],
    ["not JSON", "{tx: 0x}"],
    ["JSON null", "null"],
    ["a lone number", "123456789012345678901234567890"],
    ["a string with lone surrogates", JSON.stringify({ tx: "\ud800\udfff\ud800" })],
  ];

  it("answers every bad tx body with a 4xx and a typed error", async () => {
    for (const [what, body] of bodies) expectTypedError(await post("/v1/txs", body), [400, 413], what);
    // A batch answers per item: each bad item gets its own typed error.
    const batch = await post("/v1/txs/batch", JSON.stringify({ txs: [okTx, 1, null, [], { tx: "0x" }] }));
    expect(batch.status).toBe(202);
    const results = (JSON.parse(batch.text) as { results: { error?: { code: string } }[] }).results;
    expect(results).toHaveLength(5);
    for (const r of results) expect(r.error?.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    const nested = `${'{"txs":'.repeat(50_000)}1${"}".repeat(50_000)}`;
    expectTypedError(await post("/v1/txs/batch", nested), 400, "nested batch");
    expectTypedError(await post("/v1/txs", "x".repeat(2 << 20)), 413, "a body over api.maxBodyBytes");
  }, 120_000);

  it("answers out-of-range numbers in paths with 400", async () => {
    for (const path of [
      "/v1/blocks/99999999999999999999",
      "/v1/blocks/-1",
      "/v1/blocks/1e3",
      "/v1/txs/0x12",
    ]) {
      const r = await httpRequest(`${node.apiUrl}${path}`, { localAddress: "127.0.0.32" });
      expectTypedError(r, [400, 404], path);
    }
  });

  it("an oversized body without content-length (chunked) is cut off with 413", async () => {
    const r = await new Promise<string>((resolve) => {
      const { hostname, port } = new URL(node.apiUrl);
      const s = connect({ host: hostname, port: Number(port), localAddress: "127.0.0.33" }, () => {
        s.write(
          "POST /v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        const chunk = "a".repeat(64 * 1024);
        for (let i = 0; i < 40; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      });
      const got: Buffer[] = [];
      s.on("data", (d) => got.push(d));
      s.on("error", () => resolve(Buffer.concat(got).toString()));
      s.on("close", () => resolve(Buffer.concat(got).toString()));
      setTimeout(() => s.destroy(), 20_000);
    });
    expect(r.split("\r\n")[0]).toMatch(/^HTTP\/1\.1 413/);
  }, 30_000);

  it("slow-header clients and a socket flood from one IP do not starve honest clients", async () => {
    const { hostname, port } = new URL(node.apiUrl);
    const sockets: Socket[] = [];
    const open = (localAddress: string) =>
      new Promise<Socket>((resolve) => {
        const s = connect({ host: hostname, port: Number(port), localAddress }, () => resolve(s));
        s.on("error", () => resolve(s));
        sockets.push(s);
      });
    try {
      // Slowloris: far more sockets than one IP may hold, each sending a header line now and then.
      const slow = await Promise.all(
        Array.from({ length: MAX_CONNECTIONS_PER_IP + 200 }, () => open("127.0.0.41")),
      );
      for (const s of slow) s.write("GET /v1/status HTTP/1.1\r\nHost: x\r\n");
      const drip = setInterval(() => {
        for (const s of slow) if (!s.destroyed) s.write("X-a: b\r\n");
      }, 500);
      try {
        // Honest clients are answered meanwhile, many at once.
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            httpRequest(`${node.apiUrl}/v1/status`, { localAddress: `127.0.1.${i + 1}`, timeoutMs: 15_000 }),
          ),
        );
        expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
        // One honest client with many requests in flight at once (an HTTP client opens a socket for each).
        const burst = await Promise.all(
          Array.from({ length: 300 }, () =>
            httpRequest(`${node.apiUrl}/v1/status`, { localAddress: honest, timeoutMs: 30_000 }),
          ),
        );
        expect(burst.filter((a) => a.status !== 200).map((a) => a.status)).toEqual([]);
        // The IP's sockets past its cap were refused at once (503 TOO_MANY_CONNECTIONS), the others closed
        // by the headers timeout.
        await until(() => slow.filter((s) => !s.destroyed).length <= MAX_CONNECTIONS_PER_IP, 10_000, "cap");
        await until(() => slow.every((s) => s.destroyed || s.closed), 40_000, "slow clients timed out");
      } finally {
        clearInterval(drip);
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 120_000);

  it("the node stayed up and kept finalizing through all of it", async () => {
    const before = BigInt((await status()).height);
    await until(async () => BigInt((await status()).height) >= before + 3n, 60_000, "finalizes");
    expect(alive(node.pid)).toBe(true);
  }, 90_000);
});
