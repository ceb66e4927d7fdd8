import { describe, expect, it } from "vitest";
import { fromHex } from "../../../src/core/codec/index.js";
import {
  getPublicKey,
  KEY_CACHE_MAX,
  sign,
  verify,
  verifyAsync,
  verifyBatch,
} from "../../../src/core/crypto/index.js";

const sk = new Uint8Array(32).fill(7);
const pk = getPublicKey(sk);
const msg = new Uint8Array([4, 5, 6]);
const sig = sign(sk, msg);
const SMALL_ORDER_KEY = fromHex("0100000000000000000000000000000000000000000000000000000000000000");
const as = (x: unknown) => x as Uint8Array;

/** Inputs that are wrong in shape; every verify form must return false for them, never throw. */
const GARBAGE: [string, Uint8Array, Uint8Array, Uint8Array][] = [
  ["empty key", new Uint8Array(0), msg, sig],
  ["33-byte key", new Uint8Array(33), msg, sig],
  ["63-byte signature", pk, msg, sig.slice(0, 63)],
  ["65-byte signature", pk, msg, new Uint8Array(65)],
  ["empty signature", pk, msg, new Uint8Array(0)],
  ["zero signature", pk, msg, new Uint8Array(64)],
  ["all-0xff key (not a point)", new Uint8Array(32).fill(0xff), msg, sig],
  ["small-order key", SMALL_ORDER_KEY, msg, sig],
  ["null key", as(null), msg, sig],
  ["string message", pk, as("abc"), sig],
  ["undefined signature", pk, msg, as(undefined)],
  ["array key", as(Array.from(pk)), msg, sig],
];

describe("verify", () => {
  it("accepts a good signature, also on an empty message and a Buffer view with an offset", () => {
    expect(verify(pk, msg, sig)).toBe(true);
    expect(verify(pk, new Uint8Array(0), sign(sk, new Uint8Array(0)))).toBe(true);
    const pooled = Buffer.concat([Buffer.alloc(5), Buffer.from(pk)]).subarray(5);
    expect(pooled.byteOffset).toBeGreaterThan(0);
    expect(verify(pooled, msg, sig)).toBe(true);
  });

  for (const [name, k, m, s] of GARBAGE) {
    it(`returns false and never throws for: ${name}`, async () => {
      expect(verify(k, m, s)).toBe(false);
      expect(await verifyAsync(k, m, s)).toBe(false);
    });
  }

  it("verifyBatch keeps input order and matches verify item by item", async () => {
    const items = [
      { publicKey: pk, message: msg, signature: sig },
      ...GARBAGE.map(([, publicKey, message, signature]) => ({ publicKey, message, signature })),
      { publicKey: pk, message: new Uint8Array([9]), signature: sig },
      { publicKey: pk, message: msg, signature: sig },
    ];
    const expected = items.map((i) => verify(i.publicKey, i.message, i.signature));
    expect(expected.filter(Boolean)).toHaveLength(2);
    expect(await verifyBatch(items)).toEqual(expected);
    expect(await verifyBatch([])).toEqual([]);
  });

  it("verdicts survive key-cache eviction (more distinct keys than the cache holds)", () => {
    expect(verify(pk, msg, sig)).toBe(true);
    expect(verify(SMALL_ORDER_KEY, msg, sig)).toBe(false);
    const key = new Uint8Array(32);
    for (let i = 0; i <= KEY_CACHE_MAX; i++) {
      new DataView(key.buffer).setUint32(4, i);
      verify(key, msg, sig);
    }
    expect(verify(pk, msg, sig)).toBe(true);
    expect(verify(SMALL_ORDER_KEY, msg, sig)).toBe(false);
  });
});
