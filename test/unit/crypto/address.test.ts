import { bech32m } from "@scure/base";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../src/core/codec/index.js";
import {
  addressBytes,
  addressFromPublicKey,
  CryptoError,
  decodeAddress,
  encodeAddress,
  getPublicKey,
  isValidAddress,
} from "../../../src/core/crypto/index.js";

// RFC 8032 TEST 1 public key; its address was computed independently (Python hashlib + the BIP 350
// reference bech32m algorithm).
const PK = fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const ADDR = "fp1y8lrrhap2j3xzcntlp2qgm7jyudhhm2ta5298q";

const reasonOf = (text: string) => {
  try {
    decodeAddress(text);
    return "OK";
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    const type = (e as CryptoError).type;
    return type.code === "ADDRESS_INVALID" ? type.reason : type.code;
  }
};

describe("addresses", () => {
  it("are bech32m 'fp' of the first 20 bytes of sha256(pubkey) (independent vector)", () => {
    expect(toHex(addressBytes(PK))).toBe("0x21fe31dfa154a261626bf854046fd2271b7bed4b");
    expect(addressFromPublicKey(PK)).toBe(ADDR);
  });

  it("round-trip, start with fp1, and accept the all-uppercase form", () => {
    for (let i = 0; i < 20; i++) {
      const pk = getPublicKey(new Uint8Array(32).fill(i));
      const a = addressFromPublicKey(pk);
      expect(a).toMatch(/^fp1[02-9ac-hj-np-z]{38}$/);
      expect(decodeAddress(a)).toEqual(addressBytes(pk));
      expect(encodeAddress(decodeAddress(a))).toBe(a);
    }
    expect(decodeAddress(ADDR.toUpperCase())).toEqual(addressBytes(PK));
  });

  it("rejects a wrong prefix, even with a valid checksum", () => {
    const cosmos = bech32m.encode("cosmos", bech32m.toWords(addressBytes(PK)));
    expect(reasonOf(cosmos)).toMatch(/wrong prefix/);
    // Prefix "fp1x": starts with "fp1" but the bech32m prefix is everything before the last "1".
    const sneaky = bech32m.encode("fp1x", bech32m.toWords(addressBytes(PK)));
    expect(sneaky.startsWith("fp1")).toBe(true);
    expect(reasonOf(sneaky)).toMatch(/wrong prefix/);
  });

  it("rejects a typo with a bad checksum", () => {
    const at = 10;
    const typo = ADDR.slice(0, at) + (ADDR[at] === "q" ? "p" : "q") + ADDR.slice(at + 1);
    expect(reasonOf(typo)).toMatch(/bad checksum/);
  });

  it("rejects a valid fp bech32m string of the wrong length", () => {
    for (const n of [19, 21, 32]) {
      const text = bech32m.encode("fp", bech32m.toWords(new Uint8Array(n)));
      expect(reasonOf(text)).toMatch(/wrong length.*expected 20/);
    }
  });

  it("rejects empty, mixed-case and non-bech32m text", () => {
    expect(reasonOf("")).toBe("empty");
    expect(reasonOf(`fp1${ADDR.slice(3, 10).toUpperCase()}${ADDR.slice(10)}`)).toBe("mixed case");
    expect(reasonOf("fp1bbbbb")).toBe("not valid bech32m");
    expect(isValidAddress(ADDR)).toBe(true);
    for (const bad of ["", "fp1", "cosmos1qqqq", ADDR.slice(0, -1), `${ADDR}q`]) {
      expect(isValidAddress(bad)).toBe(false);
    }
  });

  it("encodeAddress throws ADDRESS_INVALID unless given 20 bytes", () => {
    expect(() => encodeAddress(new Uint8Array(19))).toThrow(CryptoError);
    expect(() => encodeAddress(new Uint8Array(32))).toThrow(/20 bytes/);
  });
});
