import { bech32m } from "@scure/base";
import { CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";

/**
 * Addresses (DESIGN.md §2): bech32m with prefix `fp` of the first 20 bytes of SHA-256(public key), for
 * accounts and validator consensus keys alike. bech32m's checksum catches typos.
 */
export const ADDRESS_PREFIX = "fp";
export const ADDRESS_BYTES = 20;

/** The 20-byte address of a public key. */
export function addressBytes(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).slice(0, ADDRESS_BYTES);
}

/** `fp1…` text form of 20 address bytes. */
export function encodeAddress(bytes: Uint8Array): string {
  if (bytes.length !== ADDRESS_BYTES) {
    throw new CryptoError(
      { code: "ADDRESS_INVALID", input: `${bytes.length} bytes`, reason: "must be 20 bytes" },
      "an address is 20 bytes",
    );
  }
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(bytes));
}

/** `fp1…` address of a public key. */
export function addressFromPublicKey(publicKey: Uint8Array): string {
  return encodeAddress(addressBytes(publicKey));
}

/**
 * Parses an `fp1…` address.
 * @throws CryptoError ADDRESS_INVALID saying what is wrong (prefix, checksum, length).
 */
export function decodeAddress(text: string): Uint8Array {
  const fail = (reason: string): never => {
    throw new CryptoError(
      { code: "ADDRESS_INVALID", input: String(text), reason },
      `invalid address "${text}": ${reason}`,
    );
  };
  if (typeof text !== "string" || text.length === 0) return fail("empty");
  const lower = text.toLowerCase();
  if (lower !== text && text.toUpperCase() !== text) return fail("mixed case");
  if (!lower.startsWith(`${ADDRESS_PREFIX}1`)) return fail(`must start with "${ADDRESS_PREFIX}1"`);
  let words: number[];
  try {
    ({ words } = bech32m.decode(lower as `${string}1${string}`, 90));
  } catch (err) {
    return fail(/checksum/i.test((err as Error).message) ? "bad checksum (typo?)" : "not valid bech32m");
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(words);
  } catch {
    return fail("bad padding");
  }
  if (bytes.length !== ADDRESS_BYTES)
    return fail(`decodes to ${bytes.length} bytes, expected ${ADDRESS_BYTES}`);
  return bytes;
}

/** True for a well-formed `fp1…` address. */
export function isValidAddress(text: string): boolean {
  try {
    decodeAddress(text);
    return true;
  } catch {
    return false;
  }
}
