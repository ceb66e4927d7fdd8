import { describe, expect, it } from "vitest";
import {
  getPublicKey,
  RecentSignatures,
  sign,
  VerifiedSignatures,
  verifyRemembered,
} from "../../../src/core/crypto/index.js";

const sk = new Uint8Array(32).fill(3);
const pk = getPublicKey(sk);
const msg = (i: number) => new TextEncoder().encode(`precommit ${i}`);
const copy = (b: Uint8Array) => new Uint8Array(b);

describe("signature memos (a memo of verify: never changes a verdict)", () => {
  it("RecentSignatures knows a verified signature by its bytes, from fresh copies", () => {
    const memo = new RecentSignatures();
    const m = msg(1);
    const sig = sign(sk, m);
    expect(memo.has(pk, m, sig)).toBe(false);
    expect(verifyRemembered(memo, pk, m, sig)).toBe(true);
    // What a decoded block carries: equal bytes in other objects.
    expect(memo.has(copy(pk), copy(m), copy(sig))).toBe(true);
    // The identity-keyed memo (the simulator's) does not match copies.
    const byObject = new VerifiedSignatures();
    byObject.add(pk, m, sig);
    expect(byObject.has(copy(pk), copy(m), copy(sig))).toBe(false);
    expect(byObject.has(pk, m, sig)).toBe(true);
  });

  it("a remembered signature does not vouch for another key or message", () => {
    const memo = new RecentSignatures();
    const m = msg(2);
    const sig = sign(sk, m);
    verifyRemembered(memo, pk, m, sig);
    const otherPk = getPublicKey(new Uint8Array(32).fill(4));
    expect(memo.has(otherPk, m, sig)).toBe(false);
    expect(memo.has(pk, msg(3), sig)).toBe(false);
    expect(verifyRemembered(memo, otherPk, m, sig)).toBe(false);
    expect(verifyRemembered(memo, pk, msg(3), sig)).toBe(false);
  });

  it("remembers only successes, and keeps at most `capacity` entries (the oldest leave first)", () => {
    const memo = new RecentSignatures(2);
    const bad = sign(sk, msg(9));
    expect(verifyRemembered(memo, pk, msg(8), bad)).toBe(false);
    expect(memo.size).toBe(0);
    const sigs = [0, 1, 2].map((i) => sign(sk, msg(i)));
    sigs.forEach((s, i) => {
      verifyRemembered(memo, pk, msg(i), s);
    });
    expect(memo.size).toBe(2);
    expect(memo.has(pk, msg(0), sigs[0] as Uint8Array)).toBe(false);
    expect(memo.has(pk, msg(2), sigs[2] as Uint8Array)).toBe(true);
    // A signature of the wrong length is never looked up or stored.
    memo.add(pk, msg(5), new Uint8Array(10));
    expect(memo.has(pk, msg(5), new Uint8Array(10))).toBe(false);
  });
});
