import { pbkdf2Sync } from "node:crypto";
import {
  entropyToMnemonic as scureEntropyToMnemonic,
  mnemonicToEntropy as scureMnemonicToEntropy,
} from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { CryptoError } from "./errors.js";

/**
 * bip39 mnemonics, English wordlist (DESIGN.md §2). Randomness never comes from here: callers pass the
 * entropy (the CLI reads the OS CSPRNG), which keeps core deterministic.
 */
const WORD_INDEX = new Map(wordlist.map((w, i) => [w, i]));
const ALLOWED_COUNTS = [12, 15, 18, 21, 24];

/**
 * NFKD (as bip39 requires before hashing), lowercase, single spaces: the form users' pasted mnemonics are
 * checked and hashed in, so "  Abandon\tABOUT " and "abandon about" are the same words.
 */
export function normalizeMnemonic(m: string): string {
  return String(m).normalize("NFKD").trim().toLowerCase().split(/\s+/).join(" ");
}

/**
 * The mnemonic of caller-supplied entropy (16 → 12 words … 32 → 24 words; fastpos defaults to 24).
 * SECURITY: the entropy must come from a CSPRNG at the edge (e.g. `crypto.randomBytes(32)` in the CLI).
 * @throws CryptoError KEY_BAD_ENTROPY unless the entropy is 16, 20, 24, 28 or 32 bytes.
 */
export function generateMnemonic(entropy: Uint8Array): string {
  if (![16, 20, 24, 28, 32].includes(entropy.length)) {
    throw new CryptoError(
      { code: "KEY_BAD_ENTROPY", length: entropy.length },
      "entropy must be 16, 20, 24, 28 or 32 bytes",
    );
  }
  return scureEntropyToMnemonic(entropy, wordlist);
}

/** `generateMnemonic` under its bip39 name (deterministic: entropy in, words out). */
export const entropyToMnemonic = generateMnemonic;

/**
 * Throws unless `m` is a valid English bip39 mnemonic, naming what is wrong.
 * @throws CryptoError KEY_BAD_WORD_COUNT | KEY_UNKNOWN_WORD (word and 1-based position) | KEY_BAD_CHECKSUM
 */
export function validateMnemonic(m: string): void {
  const words = normalizeMnemonic(m).split(" ").filter(Boolean);
  if (!ALLOWED_COUNTS.includes(words.length)) {
    throw new CryptoError(
      { code: "KEY_BAD_WORD_COUNT", count: words.length },
      `a mnemonic has 12, 15, 18, 21 or 24 words, got ${words.length}`,
    );
  }
  words.forEach((word, i) => {
    if (!WORD_INDEX.has(word)) {
      const suggestion = wordlist.find((w) => w.startsWith(word.slice(0, 4)));
      throw new CryptoError(
        { code: "KEY_UNKNOWN_WORD", word, position: i + 1, ...(suggestion ? { suggestion } : {}) },
        `word ${i + 1} "${word}" is not in the bip39 English wordlist${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      );
    }
  });
  try {
    scureMnemonicToEntropy(words.join(" "), wordlist);
  } catch {
    throw new CryptoError(
      { code: "KEY_BAD_CHECKSUM" },
      "mnemonic checksum does not match: a word is wrong or out of order",
    );
  }
}

/**
 * The entropy a mnemonic encodes; inverse of `entropyToMnemonic`.
 * @throws CryptoError as `validateMnemonic`.
 */
export function mnemonicToEntropy(m: string): Uint8Array {
  validateMnemonic(m);
  return scureMnemonicToEntropy(normalizeMnemonic(m), wordlist);
}

/**
 * The 64-byte bip39 seed: PBKDF2-HMAC-SHA512(NFKD mnemonic, "mnemonic" + passphrase, 2048 rounds).
 * Validates first, so a typo cannot silently give a different (empty) wallet.
 * PERF: node:crypto's PBKDF2 (OpenSSL, ≈1 ms) rather than @scure/bip39's JavaScript one (≈18 ms warm,
 * ≈100 ms on first use): `devnet up` derives every key of a devnet at start-up. Same function, same bytes
 * (pinned by the bip39 vectors in test/vectors).
 * @throws CryptoError as `validateMnemonic`.
 */
export function mnemonicToSeed(m: string, passphrase = ""): Uint8Array {
  validateMnemonic(m);
  const password = Buffer.from(normalizeMnemonic(m).normalize("NFKD"), "utf8");
  const salt = Buffer.from(`mnemonic${passphrase}`.normalize("NFKD"), "utf8");
  return new Uint8Array(pbkdf2Sync(password, salt, 2048, 64, "sha512"));
}
