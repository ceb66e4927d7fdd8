import { describe, expect, it } from "vitest";
import { toHex } from "../../../src/core/codec/index.js";
import {
  ACCOUNT_PATH,
  CONSENSUS_PATH,
  CryptoError,
  DEV_MNEMONIC,
  derivePath,
  entropyToMnemonic,
  generateMnemonic,
  keypairFromMnemonic,
  mnemonicToSeed,
  sign,
  verify,
} from "../../../src/core/crypto/index.js";

const codeOf = (f: () => unknown) => {
  try {
    f();
    return "OK";
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError);
    return (e as CryptoError).code;
  }
};

describe("key derivation", () => {
  it("uses all-hardened account and consensus paths", () => {
    expect(ACCOUNT_PATH(3)).toBe("m/44'/7777'/0'/0'/3'");
    expect(CONSENSUS_PATH(3)).toBe("m/44'/7777'/1'/0'/3'");
  });

  it("derives distinct account and consensus keys from one mnemonic, deterministically", () => {
    const a0 = keypairFromMnemonic(DEV_MNEMONIC);
    const a1 = keypairFromMnemonic(DEV_MNEMONIC, { index: 1 });
    const c0 = keypairFromMnemonic(DEV_MNEMONIC, { purpose: "consensus" });
    const p0 = keypairFromMnemonic(DEV_MNEMONIC, { passphrase: "x" });
    expect(a0.path).toBe("m/44'/7777'/0'/0'/0'");
    expect(c0.path).toBe("m/44'/7777'/1'/0'/0'");
    expect(new Set([a0.address, a1.address, c0.address, p0.address]).size).toBe(4);
    expect(keypairFromMnemonic(DEV_MNEMONIC)).toEqual(a0);
    expect(derivePath(mnemonicToSeed(DEV_MNEMONIC), a0.path).secretKey).toEqual(a0.secretKey);
    expect(verify(a0.publicKey, new Uint8Array([1]), sign(a0.secretKey, new Uint8Array([1])))).toBe(true);
  });

  it("derives the DEV_MNEMONIC account 0 key computed independently (Python hashlib + pyca/cryptography)", () => {
    // Devnets and the default genesis use these keys: a change here changes every devnet's genesis.
    const k = keypairFromMnemonic(DEV_MNEMONIC);
    expect(toHex(k.secretKey)).toBe("0xfbfea6415ae864ea115851f0bb26862faa8572c644cad50c543e2e905a36f501");
    expect(toHex(k.publicKey)).toBe("0x0c91955146a34901a03ae738778f3ea13cb9d272643622f4d8343ac463cac33a");
    expect(k.address).toBe("fp1vpythdfeq72rydahq2xhau73hf9uweltn9ldwe");
  });

  it("rejects non-hardened, out-of-range and malformed paths, and bad indexes, with KEY_BAD_PATH", () => {
    const seed = new Uint8Array(32);
    for (const p of ["m/0", "m/0'/1", "m/2147483648'", "m/01'", "m/0'/", "44'/0'", "m/x'"]) {
      expect(codeOf(() => derivePath(seed, p))).toBe("KEY_BAD_PATH");
    }
    expect(codeOf(() => derivePath(seed, "m/2147483647'"))).toBe("OK");
    expect(codeOf(() => derivePath(seed, "m"))).toBe("OK");
    for (const index of [-1, 1.5, 2 ** 31]) {
      expect(codeOf(() => keypairFromMnemonic(DEV_MNEMONIC, { index }))).toBe("KEY_BAD_PATH");
    }
  });

  it("rejects seeds outside 16–64 bytes with KEY_BAD_SEED", () => {
    expect(codeOf(() => derivePath(new Uint8Array(15), "m/0'"))).toBe("KEY_BAD_SEED");
    expect(codeOf(() => derivePath(new Uint8Array(65), "m/0'"))).toBe("KEY_BAD_SEED");
    expect(codeOf(() => derivePath(new Uint8Array(16), "m/0'"))).toBe("OK");
  });
});

describe("mnemonic generation", () => {
  it("turns caller entropy into 12 or 24 words, and nothing else into words", () => {
    expect(generateMnemonic(new Uint8Array(16).fill(1)).split(" ")).toHaveLength(12);
    expect(generateMnemonic(new Uint8Array(32).fill(1)).split(" ")).toHaveLength(24);
    expect(entropyToMnemonic(new Uint8Array(32))).toBe(DEV_MNEMONIC);
    for (const n of [0, 15, 17, 33]) {
      expect(codeOf(() => generateMnemonic(new Uint8Array(n)))).toBe("KEY_BAD_ENTROPY");
    }
  });
});
