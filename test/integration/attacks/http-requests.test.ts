import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../../helpers/cli.js";
import { alive, killAllDevnets } from "../../helpers/devnet.js";
import { rawHttp, statusOf } from "../../helpers/raw-http.js";

/**
 * Issue 24 item 1: requests no HTTP client library would send, from a raw socket, against every node of a
 * real devnet. Before the fix each one ended the node process (URIError / Invalid URL outside the handler's
 * try), and three of them halted finality.
 */
describe("HTTP requests that used to crash a node", () => {
  let home: string;
  let cleanup: () => void;
  let nodes: { apiUrl: string; pid: number; name: string }[];
  const height = async (url: string) =>
    BigInt(((await (await fetch(`${url}/v1/status`)).json()) as { height: string }).height);

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--name", "http", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    nodes = r.json().nodes;
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  const attacks: [string, string, number[]][] = [
    ["a broken %-escape in a path parameter", "GET /v1/txs/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n", [400]],
    ["a bare // target", "GET // HTTP/1.1\r\nHost: x\r\n\r\n", [404]],
    ["a //host-like target", "GET //evil/v1/status HTTP/1.1\r\nHost: x\r\n\r\n", [404]],
    ["an asterisk target", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", [400]],
    ["a bad escape in the query", "GET /v1/status?x=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n", [200]],
    [
      "a WebSocket upgrade to //",
      "GET // HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      [0],
    ],
    [
      "a WebSocket upgrade with a broken escape",
      "GET /v1/events?types=%E0%A4%A HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      [101],
    ],
  ];

  it("answers each with a 4xx (or closes the socket) and every node keeps finalizing", async () => {
    const before = await Promise.all(nodes.map((n) => height(n.apiUrl)));
    for (const [what, text, expected] of attacks) {
      for (const n of nodes) {
        const answer = await rawHttp(n.apiUrl, text);
        expect(expected, `${what} → ${answer.split("\r\n")[0]}`).toContain(statusOf(answer));
      }
    }
    // The escaped path gets a typed JSON error.
    const r = await fetch(`${nodes[0]?.apiUrl}/v1/txs/%E0%A4%A`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("BAD_PATH");
    for (const n of nodes) expect(alive(n.pid), `${n.name} is alive`).toBe(true);
    // Finality goes on: every node passes its height from before the attack by a few blocks.
    const deadline = Date.now() + 60_000;
    for (const [i, n] of nodes.entries()) {
      while ((await height(n.apiUrl)) < (before[i] as bigint) + 3n) {
        expect(Date.now() < deadline, `${n.name} finalizes after the attack`).toBe(true);
        await new Promise((d) => setTimeout(d, 200));
      }
    }
  }, 120_000);
});
