import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { addressFromPublicKey } from "./address.js";
import { getPublicKey } from "./ed25519.js";
import { CryptoError } from "./errors.js";
import { mnemonicToSeed } from "./mnemonic.js";

/**
 * SLIP-10 ed25519 key derivation (DESIGN.md §2). ed25519 has no public derivation, so every level is
 * hardened. One mnemonic backs separate branches for account and validator consensus keys, so a key is
 * never used for both; node (p2p) identity keys are not derived from it at all.
 *
 * PERF (issue 22 item 4): the spec's HMAC-SHA512 chain directly (SLIP-0010 "Private parent key → private
 * child key", ed25519 curve: hardened only, IL is the child key). micro-key-producer's HDKey also computed
 * every intermediate public key (for BIP32 fingerprints nobody here reads) with @noble/curves: ≈140 ms of a
 * `devnet up` and ≈85 ms to import. Pinned by the SLIP-0010 vectors (test/vectors/crypto-keys.test.ts).
 */

const MASTER_SECRET = new TextEncoder().encode("ed25519 seed");
const HARDENED = 0x8000_0000;

/** Path of account key `i`: `m/44'/7777'/0'/0'/i'` (7777 is fastpos's coin type; all hardened). */
export const ACCOUNT_PATH = (i: number): string => `m/44'/7777'/0'/0'/${i}'`;

/** Path of validator consensus key `i`: `m/44'/7777'/1'/0'/i'`, a branch apart from account keys. */
export const CONSENSUS_PATH = (i: number): string => `m/44'/7777'/1'/0'/${i}'`;

/**
 * PUBLIC, well-known mnemonic: the bip39 encoding of 32 zero bytes. Only for devnets and the default
 * genesis, so their keys are reproducible. Anyone can derive its keys: never hold value under it.
 */
export const DEV_MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

/** A key derived at one path. `secretKey` is the 32-byte ed25519 seed `sign` takes. */
export interface DerivedKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  chainCode: Uint8Array;
}

const MAX_INDEX = 2 ** 31; // hardened indexes are i' = i + 2^31 with i < 2^31
const PATH_RE = /^m(\/(0|[1-9]\d*)')*$/;

/**
 * Derives the key at a hardened-only `path` (e.g. "m/44'/7777'/0'/0'/0'") from a 16–64-byte seed.
 * @throws CryptoError KEY_BAD_PATH (non-hardened level, index ≥ 2^31, bad syntax) | KEY_BAD_SEED
 */
export function derivePath(seed: Uint8Array, path: string): DerivedKey {
  const bad = typeof path !== "string" || !PATH_RE.test(path) || path.split("/").some(tooBig);
  if (bad) {
    throw new CryptoError(
      { code: "KEY_BAD_PATH", path: String(path) },
      `derivation path ${path} must be hardened-only with indexes below 2^31, like m/44'/7777'/0'/0'/0'`,
    );
  }
  if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
    const length = seed instanceof Uint8Array ? seed.length : -1;
    throw new CryptoError({ code: "KEY_BAD_SEED", length }, "a seed must be 16 to 64 bytes");
  }
  let i = hmac(sha512, MASTER_SECRET, seed);
  for (const level of path.split("/").slice(1)) {
    const data = new Uint8Array(37); // 0x00 ‖ ser256(k_par) ‖ ser32(index + 2^31)
    data.set(i.subarray(0, 32), 1);
    new DataView(data.buffer).setUint32(33, Number(level.slice(0, -1)) + HARDENED, false);
    i = hmac(sha512, i.subarray(32), data);
  }
  const secretKey = i.slice(0, 32);
  return { secretKey, publicKey: getPublicKey(secretKey), chainCode: i.slice(32) };
}

function tooBig(level: string): boolean {
  return level !== "m" && Number(level.slice(0, -1)) >= MAX_INDEX;
}

/** A keypair and its `fp1…` address derived from a mnemonic, with the path it came from. */
export interface DerivedKeypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  address: string;
  path: string;
}

/**
 * The account (default) or consensus keypair `index` of a bip39 mnemonic: seed = bip39(mnemonic,
 * passphrase), then SLIP-10 at `ACCOUNT_PATH(index)` or `CONSENSUS_PATH(index)`.
 * @throws CryptoError KEY_* for an invalid mnemonic (see `validateMnemonic`) or an index outside [0, 2^31).
 */
export function keypairFromMnemonic(
  mnemonic: string,
  opts: { index?: number; passphrase?: string; purpose?: "account" | "consensus" } = {},
): DerivedKeypair {
  const index = opts.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= MAX_INDEX) {
    throw new CryptoError(
      { code: "KEY_BAD_PATH", path: String(index) },
      "key index must be an integer in [0, 2^31)",
    );
  }
  const path = (opts.purpose === "consensus" ? CONSENSUS_PATH : ACCOUNT_PATH)(index);
  const { secretKey, publicKey } = derivePath(mnemonicToSeed(mnemonic, opts.passphrase ?? ""), path);
  return { secretKey, publicKey, address: addressFromPublicKey(publicKey), path };
}
