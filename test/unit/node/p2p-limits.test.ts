import { describe, expect, it } from "vitest";
import {
  createIpGuard,
  IP_BAN_STRIKES,
  MAX_TRACKED_IPS,
  normalizeIp,
} from "../../../src/node/p2p/ip-guard.js";
import { decideSlot } from "../../../src/node/p2p/peer-slots.js";
import { LeakyScore, TokenBucket } from "../../../src/node/p2p/rate-limit.js";
import { createPeerTxBudget } from "../../../src/node/p2p/tx-budget.js";
import {
  classifyRejection,
  PERMANENT_MS,
  RejectedTxs,
  TRANSIENT_MS,
} from "../../../src/node/p2p/tx-rejections.js";

/** The p2p limits of issue 24 items 4 and 5, on an injected clock. */
const clock = () => {
  const c = { ms: 0, now: () => c.ms };
  return c;
};
const peer = (o: Partial<{ inbound: boolean; reserved: boolean; ip: string }> = {}) => ({
  inbound: true,
  reserved: false,
  ip: "10.0.0.1",
  ...o,
});

describe("peer slots", () => {
  const limits = { maxPeers: 3, maxInboundPerIp: 2 };

  it("gives strangers free slots up to maxPeers and at most maxInboundPerIp per IP", () => {
    expect(decideSlot(peer(), [], limits)).toEqual({ accept: true });
    const two = [peer(), peer()];
    expect(decideSlot(peer(), two, limits)).toEqual({ accept: false, reason: "too many peers from this IP" });
    expect(decideSlot(peer({ ip: "10.0.0.2" }), two, limits)).toEqual({ accept: true });
    expect(decideSlot(peer({ inbound: false }), two, limits)).toEqual({ accept: true });
    const full = [peer(), peer({ ip: "b" }), peer({ ip: "c" })];
    expect(decideSlot(peer({ ip: "d" }), full, limits)).toEqual({
      accept: false,
      reason: "max peers reached",
    });
  });

  it("lets a reserved peer evict a stranger (inbound first), never another reserved peer", () => {
    const outbound = peer({ inbound: false, ip: "o" });
    const inbound = peer({ ip: "i" });
    const reserved = peer({ reserved: true, ip: "r" });
    expect(decideSlot(peer({ reserved: true }), [outbound, inbound, reserved], limits)).toEqual({
      accept: true,
      evict: inbound,
    });
    expect(decideSlot(peer({ reserved: true }), [outbound, reserved, reserved], limits)).toEqual({
      accept: true,
      evict: outbound,
    });
    // per-IP cap does not apply to reserved peers; all reserved: over maxPeers rather than refuse
    expect(decideSlot(peer({ reserved: true }), [reserved, reserved, reserved], limits)).toEqual({
      accept: true,
    });
  });
});

describe("ip guard", () => {
  it("caps handshakes in progress per IP", () => {
    const g = createIpGuard({ maxPerIp: 2, banMs: 60_000 });
    expect([g.openHandshake("a"), g.openHandshake("a"), g.openHandshake("a")]).toEqual([true, true, false]);
    expect(g.openHandshake("b")).toBe(true);
    g.closeHandshake("a");
    expect(g.openHandshake("a")).toBe(true);
  });

  it("bans an IP at IP_BAN_STRIKES within a ban period, for a ban period; strikes leak away", () => {
    const c = clock();
    const g = createIpGuard({ maxPerIp: 2, banMs: 60_000, now: c.now });
    for (let i = 1; i < IP_BAN_STRIKES; i++) expect(g.strike("a", 1)).toBe(false);
    expect(g.strike("a", 1)).toBe(true);
    expect(g.isBanned("a")).toBe(true);
    expect(g.isBanned("b")).toBe(false);
    c.ms += 60_001;
    expect(g.isBanned("a")).toBe(false);
    // slow strikes never add up
    const g2 = createIpGuard({ maxPerIp: 2, banMs: 60_000, now: c.now });
    for (let i = 0; i < 100; i++) {
      c.ms += 5000;
      expect(g2.strike("a", 1)).toBe(false);
    }
  });

  it("remembers a bounded number of IPs, forgetting the least recently seen", () => {
    const g = createIpGuard({ maxPerIp: 2, banMs: 60_000 });
    g.strike("first", IP_BAN_STRIKES);
    for (let i = 0; i < MAX_TRACKED_IPS; i++) g.strike(`ip${i}`, 1);
    expect(g.isBanned("first")).toBe(false);
    expect(normalizeIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeIp("::1")).toBe("::1");
  });
});

describe("rate limits and scores", () => {
  it("a token bucket refills at its rate; a charge may go into debt", () => {
    const c = clock();
    const b = new TokenBucket(10, 20, c.now);
    expect(b.take(20)).toBe(true);
    expect(b.take(1)).toBe(false);
    c.ms += 500;
    expect(b.available()).toBe(5);
    b.charge(10);
    expect(b.available()).toBe(-5);
  });

  it("a leaky score reaches its limit only for bursts", () => {
    const c = clock();
    const s = new LeakyScore(10, 1, c.now);
    expect(s.add(9)).toBe(false);
    c.ms += 2000;
    expect(s.add(2)).toBe(false); // 7 + 2
    expect(s.add(1)).toBe(true);
  });

  it("a peer's tx budget counts txs and bytes", () => {
    const c = clock();
    const b = createPeerTxBudget({ txsPerSecond: 10, txBytesPerSecond: 1000 }, c.now);
    expect(b.takeTxs(Array(30).fill(10))).toBe(20); // 2 s burst of txs
    c.ms += 1000;
    expect(b.takeTxs([1500, 600])).toBe(1); // 10 txs of budget, but 2,000 bytes (the burst)
    expect(b.takeHashes(100)).toBe(40);
  });
});

describe("refused txs", () => {
  it("classifies refusals: bans, honest races, our own limits, junk", () => {
    expect(classifyRejection("TX_BAD_SIGNATURE")).toBe("ban");
    expect(classifyRejection("TX_BAD_NONCE")).toBe("race");
    expect(classifyRejection("MEMPOOL_FULL")).toBe("ours");
    expect(classifyRejection(undefined)).toBe("ours");
    expect(classifyRejection("TX_INSUFFICIENT_FUNDS")).toBe("junk");
    expect(classifyRejection("SOMETHING_NEW")).toBe("junk");
  });

  it("remembers permanent verdicts long, ones a block may change briefly, and our own not at all", () => {
    const c = clock();
    const r = new RejectedTxs(c.now, 3);
    r.add("nonce", "TX_BAD_NONCE");
    r.add("funds", "TX_INSUFFICIENT_FUNDS");
    r.add("full", "MEMPOOL_FULL");
    expect([r.get("nonce"), r.get("funds"), r.get("full")]).toEqual([
      "TX_BAD_NONCE",
      "TX_INSUFFICIENT_FUNDS",
      undefined,
    ]);
    c.ms += TRANSIENT_MS;
    expect([r.get("nonce"), r.get("funds")]).toEqual(["TX_BAD_NONCE", undefined]);
    c.ms += PERMANENT_MS;
    expect(r.get("nonce")).toBeUndefined();
    for (const h of ["a", "b", "c", "d"]) r.add(h, "TX_FEE_TOO_LOW");
    expect(r.size).toBe(3);
    expect(r.get("a")).toBeUndefined();
  });
});
