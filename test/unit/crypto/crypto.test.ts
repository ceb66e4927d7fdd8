import { describe, expect, it } from "vitest";
import { fromHex } from "../../../src/core/codec/index.js";
import {
  addressBytes,
  addressFromPublicKey,
  CryptoError,
  DEV_MNEMONIC,
  decodeAddress,
  encodeAddress,
  getPublicKey,
  isValidAddress,
  isValidPublicKey,
  keypairFromMnemonic,
  sha256,
  signBytes,
  signDomain,
  validatePublicKey,
  verify,
  verifyDomain,
} from "../../../src/core/crypto/index.js";

const sk = new Uint8Array(32).fill(9);
const pk = getPublicKey(sk);
const msg = new Uint8Array([1, 2, 3]);

/** The 8 small-order points of edwards25519 in their canonical encodings. */
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

describe("hashing and signing domains", () => {
  it("sha256 of parts equals sha256 of their concatenation", () => {
    expect(sha256(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(sha256(new Uint8Array([1, 2, 3])));
    expect(Buffer.from(sha256(new TextEncoder().encode("abc"))).toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("sign bytes differ per domain and per chain id, so signatures do not transfer", () => {
    const all = [
      signBytes("tx", "a", msg),
      signBytes("prevote", "a", msg),
      signBytes("precommit", "a", msg),
      signBytes("proposal", "a", msg),
      signBytes("handshake", "a", msg),
      signBytes("tx", "b", msg),
    ].map((b) => Buffer.from(b).toString("hex"));
    expect(new Set(all).size).toBe(all.length);
    const sig = signDomain(sk, "prevote", "a", msg);
    expect(verifyDomain(pk, "prevote", "a", msg, sig)).toBe(true);
    expect(verifyDomain(pk, "precommit", "a", msg, sig)).toBe(false);
    expect(verifyDomain(pk, "prevote", "b", msg, sig)).toBe(false);
  });
});

describe("verify never throws", () => {
  it("returns false for wrong lengths, empty input and garbage", () => {
    const sig = signDomain(sk, "tx", "c", msg);
    expect(verify(new Uint8Array(0), msg, sig)).toBe(false);
    expect(verify(pk, msg, new Uint8Array(63))).toBe(false);
    expect(verify(new Uint8Array(33), msg, sig)).toBe(false);
    expect(verify(pk, msg, new Uint8Array(64))).toBe(false);
    expect(verify(new Uint8Array(32).fill(0xff), msg, sig)).toBe(false);
  });
});

describe("public key validation", () => {
  it("rejects all 8 small-order points", () => {
    for (const hex of SMALL_ORDER) {
      expect(isValidPublicKey(fromHex(hex))).toBe(false);
      expect(() => validatePublicKey(fromHex(hex))).toThrow(CryptoError);
    }
  });

  it("rejects a non-canonical encoding (y ≥ p) of a valid point", () => {
    // y = p + 1 encodes the same point as y = 1 (the identity), non-canonically.
    const nonCanonical = fromHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    expect(isValidPublicKey(nonCanonical)).toBe(false);
  });

  it("accepts ordinary keys", () => expect(isValidPublicKey(pk)).toBe(true));
});

describe("addresses", () => {
  it("round-trip through bech32m with the fp prefix", () => {
    const a = addressFromPublicKey(pk);
    expect(a).toMatch(/^fp1[02-9ac-hj-np-z]{38}$/);
    expect(decodeAddress(a)).toEqual(addressBytes(pk));
    expect(encodeAddress(addressBytes(pk))).toBe(a);
    expect(decodeAddress(a.toUpperCase())).toEqual(addressBytes(pk));
  });

  it("rejects a wrong prefix, a typo and a wrong length with ADDRESS_INVALID", () => {
    const a = addressFromPublicKey(pk);
    const flip = a.slice(0, -1) + (a.endsWith("q") ? "p" : "q");
    for (const bad of ["cosmos1qqqq", flip, encodeAddress(new Uint8Array(20)).replace(/.{6}$/, ""), ""]) {
      expect(isValidAddress(bad)).toBe(false);
      try {
        decodeAddress(bad);
        expect.unreachable();
      } catch (e) {
        expect((e as CryptoError).code).toBe("ADDRESS_INVALID");
      }
    }
  });
});

describe("key derivation", () => {
  it("derives distinct account and consensus keys from one mnemonic, deterministically", () => {
    const a0 = keypairFromMnemonic(DEV_MNEMONIC);
    const a1 = keypairFromMnemonic(DEV_MNEMONIC, { index: 1 });
    const c0 = keypairFromMnemonic(DEV_MNEMONIC, { purpose: "consensus" });
    expect(a0.path).toBe("m/44'/7777'/0'/0'/0'");
    expect(c0.path).toBe("m/44'/7777'/1'/0'/0'");
    expect(new Set([a0.address, a1.address, c0.address]).size).toBe(3);
    expect(keypairFromMnemonic(DEV_MNEMONIC).address).toBe(a0.address);
  });
});
