import { bech32m } from "@scure/base";
import { CryptoError } from "./errors.js";
import { memoizeBytes, sha256 } from "./hash.js";

/**
 * Addresses (DESIGN.md §2): bech32m (BIP 350) with prefix `fp` of the first 20 bytes of SHA-256(public
 * key), for accounts and validator consensus keys alike. The checksum catches typos; the text form is
 * canonical (lowercase, one prefix), so equal addresses are equal strings once decoded and re-encoded.
 */

/** Human-readable part of every fastpos address: texts start with `fp1`. */
export const ADDRESS_PREFIX = "fp";
/** Bytes in a binary address: a truncated SHA-256, 160 bits like Bitcoin/Cosmos addresses. */
export const ADDRESS_BYTES = 20;

/**
 * Addresses of the most recent ADDRESS_CACHE_MAX public keys (first in, first out).
 * PERF: admission, execution and the post-block recheck each derive a tx sender's address; a cache of a
 * pure function, so results never depend on it.
 */
const ADDRESS_CACHE_MAX = 4096;
const cachedAddress = memoizeBytes(ADDRESS_CACHE_MAX, (publicKey) =>
  sha256(publicKey).slice(0, ADDRESS_BYTES),
);

/** The 20-byte address of a public key: `sha256(publicKey)[0..20)`. Does not validate the key. */
export function addressBytes(publicKey: Uint8Array): Uint8Array {
  return cachedAddress(publicKey).slice(); // callers own their copy
}

/**
 * `fp1…` text form (lowercase, 41 characters) of 20 address bytes.
 * @throws CryptoError ADDRESS_INVALID unless `bytes` is exactly 20 bytes.
 */
export function encodeAddress(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ADDRESS_BYTES) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new CryptoError(
      { code: "ADDRESS_INVALID", input: got, reason: "must be 20 bytes" },
      `an address is 20 bytes, got ${got}`,
    );
  }
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(bytes));
}

/** `fp1…` address of a public key. */
export function addressFromPublicKey(publicKey: Uint8Array): string {
  return encodeAddress(addressBytes(publicKey));
}

/**
 * Parses an `fp1…` address (all-lowercase or all-uppercase, as bech32m allows) into its 20 bytes.
 * @throws CryptoError ADDRESS_INVALID whose `reason` says what is wrong: empty, mixed case, wrong prefix,
 *   bad checksum (a typo), not bech32m, or wrong length.
 */
export function decodeAddress(text: string): Uint8Array {
  const fail = (reason: string): never => {
    throw new CryptoError(
      { code: "ADDRESS_INVALID", input: String(text), reason },
      `invalid address "${String(text)}": ${reason}`,
    );
  };
  if (typeof text !== "string" || text.length === 0) return fail("empty");
  const lower = text.toLowerCase();
  if (lower !== text && text.toUpperCase() !== text) return fail("mixed case");
  // The prefix is everything before the LAST "1"; check it both before (clear message) and after decoding.
  if (lower.lastIndexOf("1") !== ADDRESS_PREFIX.length || !lower.startsWith(ADDRESS_PREFIX)) {
    return fail(`wrong prefix: must start with "${ADDRESS_PREFIX}1"`);
  }
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(lower as `${string}1${string}`, 90);
  } catch (err) {
    return fail(/checksum/i.test((err as Error).message) ? "bad checksum (typo?)" : "not valid bech32m");
  }
  if (decoded.prefix !== ADDRESS_PREFIX) return fail(`wrong prefix: must start with "${ADDRESS_PREFIX}1"`);
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(decoded.words);
  } catch {
    return fail("bad padding");
  }
  if (bytes.length !== ADDRESS_BYTES) {
    return fail(`wrong length: decodes to ${bytes.length} bytes, expected ${ADDRESS_BYTES}`);
  }
  return bytes;
}

/** True for a well-formed `fp1…` address; never throws. */
export function isValidAddress(text: string): boolean {
  try {
    decodeAddress(text);
    return true;
  } catch {
    return false;
  }
}
