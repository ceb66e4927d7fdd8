import { createPrivateKey, createPublicKey, type KeyObject, sign as nodeSign } from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors.js";

// @noble/ed25519's synchronous API needs a synchronous SHA-512 (point checks below).
ed.hashes.sha512 = sha512;

/**
 * ed25519 keys and signing (DESIGN.md §2).
 * - Public keys and signatures come from OpenSSL through node:crypto: deterministic RFC 8032, so the bytes
 *   are the same as any other conforming signer's (pinned by the RFC 8032 vectors). PERF (issue 22 item 4):
 *   @noble/ed25519 built its base-point tables on the first key or signature of a process, ≈50 ms of every
 *   node start and of every CLI command that signs; OpenSSL takes microseconds.
 * - Public-key validation (canonical encoding, small order) uses @noble/ed25519's point arithmetic.
 * - Verification is NOT here: consensus has exactly one rule, `verify` in verify.ts (node:crypto).
 */

/** PKCS#8 DER prefix of a raw 32-byte ed25519 seed (RFC 8410). */
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function pkcs8KeyObject(secretKey: Uint8Array): KeyObject {
  const der = new Uint8Array(PKCS8_PREFIX.length + 32);
  der.set(PKCS8_PREFIX);
  der.set(secretKey, PKCS8_PREFIX.length);
  return createPrivateKey({ key: Buffer.from(der.buffer), format: "der", type: "pkcs8" });
}

/** Key object of a seed imported as a JWK with only `d`: OpenSSL derives the public half from it. */
function jwkKeyObject(secretKey: Uint8Array): KeyObject {
  const d = Buffer.from(secretKey.buffer, secretKey.byteOffset, secretKey.length).toString("base64url");
  return createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d, x: "" }, format: "jwk" });
}

/**
 * PERF (issue 22 item 4): importing a seed as PKCS#8 DER costs ≈1 ms (OpenSSL 3's decoder framework), and
 * a 5-validator `devnet up` derives ≈20 keys before its nodes can start; a JWK import takes ≈0.15 ms. Node
 * reads an OKP private JWK's key from `d` and only type-checks `x`, which a seed alone cannot fill. That is
 * Node's behaviour, not a promise, so the first call checks it on a fixed seed against the DER import (same
 * public key, or an import error) and every later call uses whichever import passed.
 */
let fastImport: boolean | undefined;
function privateKeyObject(secretKey: Uint8Array): KeyObject {
  if (fastImport === undefined) {
    const probe = new Uint8Array(32).fill(7);
    const spki = (k: KeyObject) => createPublicKey(k).export({ format: "der", type: "spki" }).toString("hex");
    try {
      fastImport = spki(jwkKeyObject(probe)) === spki(pkcs8KeyObject(probe));
    } catch {
      fastImport = false;
    }
  }
  return fastImport ? jwkKeyObject(secretKey) : pkcs8KeyObject(secretKey);
}

/**
 * A node:crypto key object for a 32-byte ed25519 seed, to sign with `crypto.sign(null, msg, key)` many times
 * (the node's signer, the simulator, the bench's load): the one place seeds are imported into OpenSSL.
 * @throws CryptoError CRYPTO_BAD_SECRET_KEY unless `secretKey` is 32 bytes.
 */
export function seedKeyObject(secretKey: Uint8Array): KeyObject {
  checkSecretKey(secretKey);
  return privateKeyObject(secretKey);
}

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
  // The SPKI DER of an ed25519 key ends with the 32 raw key bytes (RFC 8410).
  const spki = createPublicKey(privateKeyObject(secretKey)).export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(spki.length - PUBLIC_KEY_BYTES));
}

/**
 * Deterministic RFC 8032 signature (64 bytes) of `message`. For consensus messages use `signDomain`, which
 * adds the domain tag and chain id (DESIGN.md §2).
 * @throws CryptoError CRYPTO_BAD_SECRET_KEY unless `secretKey` is 32 bytes.
 */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  checkSecretKey(secretKey);
  return new Uint8Array(nodeSign(null, message, privateKeyObject(secretKey)));
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
