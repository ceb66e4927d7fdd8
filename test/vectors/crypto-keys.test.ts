import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/core/codec/index.js";
import {
  CryptoError,
  DEV_MNEMONIC,
  derivePath,
  generateMnemonic,
  mnemonicToEntropy,
  mnemonicToSeed,
  validateMnemonic,
} from "../../src/core/crypto/index.js";

const load = (f: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, "shared", f), "utf8"));

describe("BIP-39 (trezor/python-mnemonic vectors, english, passphrase TREZOR)", () => {
  const english: [string, string, string, string][] = load("bip39-trezor.json").english;

  it("has 24 english vectors", () => expect(english).toHaveLength(24));

  for (const [entropy, mnemonic, seed] of english) {
    it(`${mnemonic.split(" ").slice(0, 3).join(" ")}… (${mnemonic.split(" ").length} words)`, () => {
      expect(generateMnemonic(fromHex(entropy))).toBe(mnemonic);
      expect(toHex(mnemonicToEntropy(mnemonic))).toBe(`0x${entropy}`);
      expect(toHex(mnemonicToSeed(mnemonic, "TREZOR"))).toBe(`0x${seed}`);
    });
  }
});

describe("SLIP-0010 ed25519 vectors", () => {
  const vectors: { seed: string; path: string; chainCode: string; privateKey: string; publicKey: string }[] =
    load("slip10-ed25519.json");

  it("has 12 vectors", () => expect(vectors).toHaveLength(12));

  for (const v of vectors) {
    it(`seed ${v.seed.slice(0, 8)}… ${v.path}`, () => {
      const k = derivePath(fromHex(v.seed), v.path.replace(/H/g, "'"));
      expect(toHex(k.chainCode)).toBe(`0x${v.chainCode}`);
      expect(toHex(k.secretKey)).toBe(`0x${v.privateKey}`);
      expect(`00${toHex(k.publicKey).slice(2)}`).toBe(v.publicKey);
    });
  }
});

describe("mnemonic validation errors", () => {
  const good =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
  const err = (m: string) => {
    try {
      validateMnemonic(m);
    } catch (e) {
      if (e instanceof CryptoError) return e;
      throw e;
    }
    throw new Error("expected a CryptoError");
  };

  it("accepts any case and spacing", () =>
    expect(() => validateMnemonic(`  ${good.toUpperCase()}\n`)).not.toThrow());

  it("names an unknown word and its 1-based position after normalising case and spacing", () => {
    const words = good.split(" ");
    words[6] = "ZEBRAS";
    const e = err(`  ${words.join("   ")} `);
    expect(e.type).toMatchObject({ code: "KEY_UNKNOWN_WORD", word: "zebras", position: 7 });
    expect(e.message).toContain('word 7 "zebras"');
  });

  it("names an unknown first word and suggests the closest one", () => {
    const e = err(good.replace(/^abandon/, "abandno"));
    expect(e.type).toMatchObject({
      code: "KEY_UNKNOWN_WORD",
      word: "abandno",
      position: 1,
      suggestion: "abandon",
    });
    expect(e.message).toMatch(/word 1 "abandno"/);
  });

  it("reports a bad checksum", () =>
    expect(err(good.replace(/about$/, "abandon")).code).toBe("KEY_BAD_CHECKSUM"));

  it("reports a wrong word count (only 12, 15, 18, 21 or 24 words)", () => {
    expect(err("abandon abandon").type).toEqual({ code: "KEY_BAD_WORD_COUNT", count: 2 });
    expect(err(`${good} abandon`).type).toEqual({ code: "KEY_BAD_WORD_COUNT", count: 13 });
    expect(err("").type).toEqual({ code: "KEY_BAD_WORD_COUNT", count: 0 });
  });

  it("checks the count before the words, and the words before the checksum", () => {
    expect(err("zebras abandon").code).toBe("KEY_BAD_WORD_COUNT");
    expect(err(good.replace(/about$/, "zebras")).code).toBe("KEY_UNKNOWN_WORD");
  });

  it("rejects entropy of the wrong size", () => {
    expect(() => generateMnemonic(new Uint8Array(15))).toThrow(CryptoError);
  });
});

describe("DEV_MNEMONIC", () => {
  it("is the valid 24-word encoding of 32 zero bytes", () => {
    expect(() => validateMnemonic(DEV_MNEMONIC)).not.toThrow();
    expect(DEV_MNEMONIC.split(" ")).toHaveLength(24);
    expect(mnemonicToEntropy(DEV_MNEMONIC)).toEqual(new Uint8Array(32));
  });
});
