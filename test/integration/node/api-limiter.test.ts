import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../../../src/node/api/http.js";
import { httpRequest } from "../../helpers/raw-http.js";

/**
 * Issue 24 item 10: the per-IP limiter map used to be cleared wholesale once it held 10,000 IPs, which
 * handed a fresh budget to the very client hammering the node as soon as enough other addresses had been
 * seen. A real API server on 127.0.0.1 with a small map (50 IPs); clients from 127.0.x.y source addresses.
 */
describe("per-IP limiter map of the API server", () => {
  let api: ApiServer;
  const RATE = 0.5; // requests/s per IP: bursts of 1, one more every 2 s

  beforeAll(async () => {
    api = await startApiServer({
      listen: "127.0.0.1:0",
      maxBodyBytes: 1024,
      requestsPerSecondPerIp: RATE,
      txsPerSecondPerIp: 1,
      maxEventSubscribers: 1,
      maxTrackedIps: 50,
      requestTimeoutMs: 5_000,
      adminToken: "t",
      routes: [{ method: "GET", path: "/ping", handler: () => ({ json: { ok: true } }) }],
      logger: { warn() {}, debug() {} },
    });
  });
  afterAll(() => api.close());

  it("keeps a hammering client limited while four times the map's size of other IPs come and go", async () => {
    const started = performance.now();
    const attacker = "127.0.0.2";
    expect((await httpRequest(`${api.url}/ping`, { localAddress: attacker })).status).toBe(200);
    let attackerServed = 1;
    for (let i = 0; i < 200; i++) {
      const r = await httpRequest(`${api.url}/ping`, {
        localAddress: `127.0.${10 + (i >> 8)}.${(i & 255) + 1}`,
      });
      expect(r.status).toBe(200); // each newcomer has its own full budget
      if (i % 5 === 0) {
        const a = await httpRequest(`${api.url}/ping`, { localAddress: attacker });
        expect([200, 429]).toContain(a.status);
        if (a.status === 200) attackerServed++;
      }
    }
    // The attacker got its burst plus what its bucket refilled in the time taken, and nothing more
    // (a wholesale clear would have reset it at every 50 newcomers: 4 more requests).
    const elapsed = (performance.now() - started) / 1000;
    expect(attackerServed).toBeLessThanOrEqual(1 + Math.ceil(elapsed * RATE));
  }, 60_000);
});
