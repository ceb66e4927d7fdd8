import { describe, expect, it } from "vitest";
import { fromHex } from "../../../src/core/codec/index.js";
import {
  CryptoError,
  getPublicKey,
  isValidPublicKey,
  sign,
  validatePublicKey,
} from "../../../src/core/crypto/index.js";

/** The 8 small-order points of edwards25519, canonically encoded (orders 1, 2, 4, 4, 8, 8, 8, 8). */
const SMALL_ORDER = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

const codeOf = (hex: string) => {
  try {
    validatePublicKey(fromHex(hex));
    return "OK";
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    return (e as CryptoError).code;
  }
};

describe("public key validation", () => {
  it("rejects all 8 small-order points with CRYPTO_SMALL_ORDER_KEY", () => {
    expect(new Set(SMALL_ORDER).size).toBe(8);
    for (const hex of SMALL_ORDER) {
      expect(isValidPublicKey(fromHex(hex))).toBe(false);
      expect(codeOf(hex)).toBe("CRYPTO_SMALL_ORDER_KEY");
    }
  });

  it("rejects y ≥ p encodings of a point that is not small-order with CRYPTO_NONCANONICAL_KEY", () => {
    // y = p + 3 encodes the same point as y = 3 (on the curve, mixed order, not small order).
    const canonical = "0300000000000000000000000000000000000000000000000000000000000000";
    const nonCanonical = "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";
    expect(codeOf(canonical)).toBe("OK");
    expect(codeOf(nonCanonical)).toBe("CRYPTO_NONCANONICAL_KEY");
    expect(isValidPublicKey(fromHex(nonCanonical))).toBe(false);
  });

  it("rejects the 'negative zero' x encoding and y = p + 1 as non-canonical", () => {
    expect(codeOf("0100000000000000000000000000000000000000000000000000000000000080")).toBe(
      "CRYPTO_NONCANONICAL_KEY",
    );
    expect(codeOf("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")).toBe(
      "CRYPTO_NONCANONICAL_KEY",
    );
  });

  it("rejects wrong lengths and non-points with CRYPTO_BAD_PUBLIC_KEY", () => {
    expect(codeOf("02".padEnd(64, "0"))).toBe("CRYPTO_BAD_PUBLIC_KEY"); // y = 2 is not on the curve
    expect(codeOf("00".repeat(31))).toBe("CRYPTO_BAD_PUBLIC_KEY");
    expect(codeOf("00".repeat(33))).toBe("CRYPTO_BAD_PUBLIC_KEY");
    expect(isValidPublicKey(null as unknown as Uint8Array)).toBe(false);
  });

  it("accepts derived keys", () => {
    for (let i = 0; i < 16; i++)
      expect(isValidPublicKey(getPublicKey(new Uint8Array(32).fill(i)))).toBe(true);
  });
});

describe("secret keys", () => {
  it("getPublicKey and sign throw CRYPTO_BAD_SECRET_KEY unless given 32 bytes", () => {
    for (const bad of [new Uint8Array(31), new Uint8Array(64)]) {
      expect(() => getPublicKey(bad)).toThrow(CryptoError);
      expect(() => sign(bad, new Uint8Array(1))).toThrow(/secret key must be 32 bytes/);
    }
  });
});
