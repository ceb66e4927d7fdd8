import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors.js";

// @noble/ed25519's synchronous API needs a synchronous SHA-512; without it `sign` throws.
ed.hashes.sha512 = sha512;

/**
 * ed25519 keys and signing (DESIGN.md §2).
 * - Signing and key derivation use @noble/ed25519: deterministic RFC 8032 signatures, so the bytes are the
 *   same as any other conforming signer's (pinned by the RFC 8032 vectors).
 * - Verification is NOT here: consensus has exactly one rule, `verify` in verify.ts (node:crypto).
 */

/** Bytes in a secret key: the RFC 8032 32-byte seed, not the 64-byte expanded form. */
export const SECRET_KEY_BYTES = 32;
/** Bytes in an encoded public key (compressed point, RFC 8032 §5.1.2). */
export const PUBLIC_KEY_BYTES = 32;
/** Bytes in a signature: R (32) ‖ S (32). */
export const SIGNATURE_BYTES = 64;

function checkSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) {
    throw new CryptoError(
      { code: "CRYPTO_BAD_SECRET_KEY", reason: "must be 32 bytes" },
      "secret key must be 32 bytes",
    );
  }
}

/**
 * The 32-byte public key of a 32-byte secret key (RFC 8032 §5.1.5).
 * @throws CryptoError CRYPTO_BAD_SECRET_KEY unless `secretKey` is 32 bytes.
 */
export function getPublicKey(secretKey: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return ed.getPublicKey(secretKey);
}

/**
 * Deterministic RFC 8032 signature (64 bytes) of `message`. For consensus messages use `signDomain`, which
 * adds the domain tag and chain id (DESIGN.md §2).
 * @throws CryptoError CRYPTO_BAD_SECRET_KEY unless `secretKey` is 32 bytes.
 */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return ed.sign(message, secretKey);
}

function badKey(reason: string): never {
  throw new CryptoError({ code: "CRYPTO_BAD_PUBLIC_KEY", reason }, `public key ${reason}`);
}

/**
 * Throws unless `pk` is usable as an account or validator key: 32 bytes, a point on the curve, canonically
 * encoded (y < p and no "negative zero" x: re-encoding gives the same bytes), and not of small order.
 *
 * SECURITY: a small-order key lets anyone forge signatures that some verifiers accept, and a non-canonical
 * encoding gives one key two byte forms (two addresses) and splits verifiers (speccheck cases 0, 1, 10,
 * 11). Rejecting both up front makes the verdict independent of how OpenSSL treats them. Mixed-order keys
 * (a torsion component but not small order) are accepted, as in RFC 8032.
 * @throws CryptoError CRYPTO_BAD_PUBLIC_KEY | CRYPTO_NONCANONICAL_KEY | CRYPTO_SMALL_ORDER_KEY
 */
export function validatePublicKey(pk: Uint8Array): void {
  if (!(pk instanceof Uint8Array) || pk.length !== PUBLIC_KEY_BYTES) badKey("must be 32 bytes");
  let point: ed.Point;
  try {
    // zip215 = true: decode y ≥ p too, so a non-canonical encoding is reported as such below.
    point = ed.Point.fromBytes(pk, true);
  } catch {
    return badKey("is not a curve point");
  }
  const again = point.toBytes();
  for (let i = 0; i < PUBLIC_KEY_BYTES; i++) {
    if (again[i] !== pk[i]) {
      throw new CryptoError({ code: "CRYPTO_NONCANONICAL_KEY" }, "public key is not canonically encoded");
    }
  }
  if (point.isSmallOrder()) {
    throw new CryptoError({ code: "CRYPTO_SMALL_ORDER_KEY" }, "public key has small order");
  }
}

/** Boolean form of `validatePublicKey`; never throws. */
export function isValidPublicKey(pk: Uint8Array): boolean {
  try {
    validatePublicKey(pk);
    return true;
  } catch {
    return false;
  }
}
