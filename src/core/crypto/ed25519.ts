import { createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { CryptoError } from "./errors.js";

// @noble/ed25519 needs a synchronous SHA-512 for its sync API.
ed.hashes.sha512 = sha512;

/**
 * ed25519 for fastpos (DESIGN.md §2).
 * - Signing and key derivation: @noble/ed25519 (deterministic RFC 8032 signatures).
 * - Verification: THE one consensus rule, `verify` below, through node:crypto (OpenSSL), ≈10× faster than
 *   noble here. Every node must reach the same verdict on every signature, so nothing else verifies.
 * - Public keys that are small-order or non-canonically encoded are rejected on first use, whatever
 *   OpenSSL would say about a signature under them.
 */

/** The 32-byte public key of a 32-byte secret key (seed). */
export function getPublicKey(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) {
    throw new CryptoError(
      { code: "CRYPTO_BAD_SECRET_KEY", reason: "must be 32 bytes" },
      "secret key must be 32 bytes",
    );
  }
  return ed.getPublicKey(secretKey);
}

/** Deterministic RFC 8032 signature (64 bytes). */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) {
    throw new CryptoError(
      { code: "CRYPTO_BAD_SECRET_KEY", reason: "must be 32 bytes" },
      "secret key must be 32 bytes",
    );
  }
  return ed.sign(message, secretKey);
}

/**
 * Throws unless `pk` is a usable validator/account key: 32 bytes, a point on the curve, canonically encoded
 * (re-encoding gives the same bytes, so y < p and no "negative zero" x), and not of small order.
 * @throws CryptoError CRYPTO_BAD_PUBLIC_KEY | CRYPTO_NONCANONICAL_KEY | CRYPTO_SMALL_ORDER_KEY
 */
export function validatePublicKey(pk: Uint8Array): void {
  if (!(pk instanceof Uint8Array) || pk.length !== 32) {
    throw new CryptoError(
      { code: "CRYPTO_BAD_PUBLIC_KEY", reason: "must be 32 bytes" },
      "public key must be 32 bytes",
    );
  }
  let point: ed.Point;
  try {
    point = ed.Point.fromBytes(pk, true);
  } catch {
    throw new CryptoError(
      { code: "CRYPTO_BAD_PUBLIC_KEY", reason: "not a curve point" },
      "public key is not a curve point",
    );
  }
  const again = point.toBytes();
  for (let i = 0; i < 32; i++) {
    if (again[i] !== pk[i]) {
      throw new CryptoError({ code: "CRYPTO_NONCANONICAL_KEY" }, "public key is not canonically encoded");
    }
  }
  if (point.isSmallOrder()) {
    throw new CryptoError({ code: "CRYPTO_SMALL_ORDER_KEY" }, "public key has small order");
  }
}

/** Boolean form of `validatePublicKey`. */
export function isValidPublicKey(pk: Uint8Array): boolean {
  try {
    validatePublicKey(pk);
    return true;
  } catch {
    return false;
  }
}

/** DER SubjectPublicKeyInfo prefix for a raw ed25519 key (RFC 8410). */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Bounded cache: public key (hex) → KeyObject, or null for a rejected key. PERF: skips DER parsing. */
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, KeyObject | null>();

function keyObjectFor(pk: Uint8Array): KeyObject | null {
  const id = Buffer.from(pk.buffer, pk.byteOffset, pk.byteLength).toString("hex");
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  let key: KeyObject | null = null;
  if (isValidPublicKey(pk)) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pk]), format: "der", type: "spki" });
    } catch {
      key = null;
    }
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(id, key);
  return key;
}

function wellFormed(pk: Uint8Array, signature: Uint8Array): boolean {
  return (
    pk instanceof Uint8Array && pk.length === 32 && signature instanceof Uint8Array && signature.length === 64
  );
}

/**
 * THE consensus signature check (DESIGN.md §2). Never throws: wrong lengths, invalid or small-order keys
 * and bad signatures are all `false`. Verdicts are pinned by test/vectors/crypto-ed25519.test.ts.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!wellFormed(publicKey, signature) || !(message instanceof Uint8Array)) return false;
  const key = keyObjectFor(publicKey);
  if (!key) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * Same verdict as `verify`, computed on libuv's thread pool (≈2× the throughput on 2 cores; the event loop
 * stays free). Size the pool with UV_THREADPOOL_SIZE.
 */
export function verifyAsync(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (!wellFormed(publicKey, signature) || !(message instanceof Uint8Array)) return Promise.resolve(false);
  const key = keyObjectFor(publicKey);
  if (!key) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      nodeVerify(null, message, key, signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

/** One item of a batch verification. */
export interface VerifyItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Verifies many signatures concurrently on the thread pool; verdicts in input order, equal to `verify`'s. */
export function verifyBatch(items: readonly VerifyItem[]): Promise<boolean[]> {
  return Promise.all(items.map((i) => verifyAsync(i.publicKey, i.message, i.signature)));
}
