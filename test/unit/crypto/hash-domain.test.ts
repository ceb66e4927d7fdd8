import { describe, expect, it } from "vitest";
import { CodecError, toHex } from "../../../src/core/codec/index.js";
import {
  DOMAIN,
  type Domain,
  getPublicKey,
  memoizeBytes,
  sha256,
  signBytes,
  signDomain,
  verify,
  verifyDomain,
} from "../../../src/core/crypto/index.js";

const sk = new Uint8Array(32).fill(9);
const pk = getPublicKey(sk);
const msg = new Uint8Array([1, 2, 3]);

describe("sha256", () => {
  it("matches FIPS 180-2 'abc' and the empty string, and hashes parts as their concatenation", () => {
    expect(toHex(sha256(new TextEncoder().encode("abc")))).toBe(
      "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(toHex(sha256())).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(sha256(new Uint8Array([1, 2, 3])));
  });

  it("returns a plain 32-byte Uint8Array that owns its bytes", () => {
    const h = sha256(msg);
    expect(h).toBeInstanceOf(Uint8Array);
    expect(h.length).toBe(32);
    expect(new Uint8Array(h.buffer, h.byteOffset, 32)).toEqual(h);
  });
});

describe("memoizeBytes", () => {
  it("computes once per distinct input (by bytes, not identity) and forgets the oldest past its bound", () => {
    let calls = 0;
    const f = memoizeBytes(2, (b) => {
      calls++;
      return sha256(b);
    });
    const a = new Uint8Array([1]);
    expect(f(a)).toEqual(sha256(a));
    expect(f(new Uint8Array([1]))).toBe(f(a));
    expect(calls).toBe(1);
    f(new Uint8Array([2]));
    f(new Uint8Array([3])); // evicts [1]
    expect(calls).toBe(3);
    expect(f(a)).toEqual(sha256(a));
    expect(calls).toBe(4);
  });
});

describe("signing domains", () => {
  it("uses eight distinct versioned tags (consensus, p2p, oracle)", () => {
    expect(new Set(Object.values(DOMAIN)).size).toBe(8);
    for (const tag of Object.values(DOMAIN)) expect(tag).toMatch(/^fastpos\/[a-z0-9-]+\/v1$/);
  });

  it("sign bytes are u32-length-prefixed tag, then chain id, then the message (hand-derived)", () => {
    // "fastpos/tx/v1" is 13 bytes, "devnet-1" is 8 bytes.
    expect(toHex(signBytes("tx", "devnet-1", msg))).toBe(
      "0x0000000d66617374706f732f74782f7631000000086465766e65742d31010203",
    );
  });

  it("sign bytes differ per domain and per chain id", () => {
    const domains = Object.keys(DOMAIN) as Domain[];
    const all = [...domains.map((d) => signBytes(d, "a", msg)), signBytes("tx", "b", msg)].map(toHex);
    expect(new Set(all).size).toBe(all.length);
  });

  it("a signature verifies only in its own domain and chain", () => {
    const sig = signDomain(sk, "prevote", "a", msg);
    expect(verifyDomain(pk, "prevote", "a", msg, sig)).toBe(true);
    expect(verify(pk, signBytes("prevote", "a", msg), sig)).toBe(true);
    expect(verify(pk, msg, sig)).toBe(false);
    expect(verifyDomain(pk, "precommit", "a", msg, sig)).toBe(false);
    expect(verifyDomain(pk, "prevote", "b", msg, sig)).toBe(false);
    expect(verifyDomain(pk, "prevote", "a", new Uint8Array([1, 2, 4]), sig)).toBe(false);
  });

  it("signBytes throws CodecError for a chain id over 64 bytes; verifyDomain returns false", () => {
    const long = "x".repeat(65);
    expect(() => signBytes("tx", long, msg)).toThrow(CodecError);
    expect(verifyDomain(pk, "tx", long, msg, new Uint8Array(64))).toBe(false);
  });
});
