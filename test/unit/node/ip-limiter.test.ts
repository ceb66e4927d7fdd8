import { describe, expect, it } from "vitest";
import { IpLimiter } from "../../../src/node/api/ip-limiter.js";

describe("per-IP limiter", () => {
  const at = (t: { now: number }) => () => t.now;

  it("gives each IP bursts of twice its rate, refilled over time", () => {
    const t = { now: 0 };
    const l = new IpLimiter({ requestsPerSecond: 2, txsPerSecond: 10, now: at(t) });
    expect([1, 2, 3, 4, 5].map(() => l.takeRequest("a"))).toEqual([true, true, true, true, false]);
    expect(l.takeRequest("b")).toBe(true);
    t.now = 500; // half a second: one request token back
    expect(l.takeRequest("a")).toBe(true);
    expect(l.takeRequest("a")).toBe(false);
  });

  it("grants a batch as many tx tokens as are left, never more", () => {
    const t = { now: 0 };
    const l = new IpLimiter({ requestsPerSecond: 1, txsPerSecond: 100, now: at(t) });
    expect(l.takeTxs("a", 150)).toBe(150);
    expect(l.takeTxs("a", 150)).toBe(50);
    expect(l.hasTxs("a")).toBe(false);
    expect(l.takeTxs("a", 1)).toBe(0);
    t.now = 1000;
    expect(l.takeTxs("a", 1000)).toBe(100);
  });

  it("stays bounded by evicting the least recently used IP, not by forgetting everyone", () => {
    const t = { now: 0 }; // the clock stands still: no bucket refills during the test
    const l = new IpLimiter({ requestsPerSecond: 1, txsPerSecond: 1, maxIps: 100, now: at(t) });
    // The attacker spends its budget…
    while (l.takeRequest("attacker"));
    // …then 10,000 other addresses pass by while it keeps trying.
    for (let i = 0; i < 10_000; i++) {
      l.takeRequest(`10.0.${i >> 8}.${i & 255}`);
      if (i % 10 === 0) expect(l.takeRequest("attacker"), `after ${i} other IPs`).toBe(false);
      expect(l.size).toBeLessThanOrEqual(100);
    }
    // An IP idle long enough to fall out comes back with a full bucket, as after any idle spell.
    expect(l.takeRequest("10.0.0.0")).toBe(true);
  });
});
