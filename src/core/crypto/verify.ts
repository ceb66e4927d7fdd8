import { createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import { bytesToString } from "../codec/index.js";
import { isValidPublicKey, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from "./ed25519.js";

/**
 * THE consensus signature rule (DESIGN.md §2): OpenSSL's ed25519 verification through node:crypto, plus
 * our own rejection of small-order and non-canonical public keys. Every node must reach the same verdict
 * on every signature, so nothing else in fastpos verifies a signature. The verdicts on all shared vectors
 * are pinned by test/vectors/crypto-ed25519.test.ts; a Node/OpenSSL upgrade that changes one fails CI.
 *
 * What OpenSSL checks (crypto/ec/curve25519.c): S < L; A decodes (it accepts non-canonical A, which our
 * key check rejects first); then the cofactorless equation, by comparing the canonical encoding of
 * [S]B − [k]A with R's bytes, so a non-canonical R never verifies.
 */

/** DER SubjectPublicKeyInfo prefix for a raw ed25519 key (RFC 8410 §4). */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * Public key (hex) → KeyObject, or null for a key our check rejected. Least-recently-used entries are
 * evicted past KEY_CACHE_MAX.
 * PERF: creating a KeyObject (DER parse) and the noble key check cost more than a verify; validator and
 * active account keys stay cached. NOTE: a per-process cache of pure results, so verdicts do not depend
 * on it.
 */
export const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, KeyObject | null>();

function keyObjectFor(pk: Uint8Array): KeyObject | null {
  // PERF: a latin1 string (one char per byte) is the cheapest exact map key for 32 bytes.
  const id = bytesToString(pk, "latin1");
  const hit = keyCache.get(id);
  if (hit !== undefined) {
    keyCache.delete(id);
    keyCache.set(id, hit);
    return hit;
  }
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

/**
 * True for a 32-byte public key that `verify` can accept: canonical and not of small order. Cached with the
 * key's KeyObject, so checking it before `verify` costs a map look-up.
 */
export function isAcceptedPublicKey(publicKey: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array &&
    publicKey.length === PUBLIC_KEY_BYTES &&
    keyObjectFor(publicKey) !== null
  );
}

/** The KeyObject to verify with, or null when the inputs can only give `false`. */
function prepare(publicKey: unknown, message: unknown, signature: unknown): KeyObject | null {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return null;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return null;
  if (!(message instanceof Uint8Array)) return null;
  return keyObjectFor(publicKey);
}

/**
 * THE consensus signature check. True only for a valid signature of `message` under a canonical,
 * non-small-order `publicKey`. Never throws: wrong lengths, non-bytes, rejected keys and bad signatures
 * are all `false`.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = prepare(publicKey, message, signature);
  if (!key) return false;
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * Same verdict as `verify` for every input, computed on libuv's thread pool so the event loop stays free
 * and several verifications run in parallel (pool size: UV_THREADPOOL_SIZE, default 4). Never rejects.
 */
export function verifyAsync(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const key = prepare(publicKey, message, signature);
  if (!key) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      nodeVerify(null, message, key, signature, (err, ok) => resolve(!err && ok === true));
    } catch {
      resolve(false);
    }
  });
}

/** One signature to check in `verifyBatch`. */
export interface VerifyItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Verifies many signatures concurrently on the thread pool. Verdicts come back in input order and equal
 * `verify`'s item by item (no all-or-nothing batch equation, which could disagree on edge cases).
 */
export function verifyBatch(items: readonly VerifyItem[]): Promise<boolean[]> {
  return Promise.all(items.map((i) => verifyAsync(i.publicKey, i.message, i.signature)));
}

/**
 * A memo of successful `verify` calls: `has` may be true only for a public key, message and signature whose
 * bytes all equal those of a triple `verify` accepted. A memo of a pure result, so a verdict never depends
 * on it; `verifyRemembered` is `verify` with one.
 */
export interface SignatureMemo {
  add(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void;
  has(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * Signatures this process has already verified, bound to their exact key and message: `has` is true only
 * for the same signature object whose public key, message and signature bytes all equal those of a
 * successful `verify`.
 * PERF: a block's lastCommit carries the very precommits the simulator checked as votes, as the same
 * objects. A node decodes them anew from the block's bytes: it uses `RecentSignatures`.
 */
export class VerifiedSignatures implements SignatureMemo {
  private seen = new WeakMap<
    Uint8Array,
    { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }
  >();

  add(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
    this.seen.set(signature, {
      publicKey: publicKey.slice(),
      message: message.slice(),
      signature: signature.slice(),
    });
  }

  has(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const s = this.seen.get(signature);
    return (
      s !== undefined &&
      sameBytes(s.signature, signature) &&
      sameBytes(s.publicKey, publicKey) &&
      sameBytes(s.message, message)
    );
  }
}

/**
 * The last `capacity` signatures verified, keyed by their bytes (not their objects): for a node, whose
 * blocks' lastCommit signatures are decoded from the block's bytes, while the same precommits were checked
 * as votes when they arrived. Checking a lastCommit was ≈ 40% of a validator's vote-verification CPU, and it
 * runs on the way to its prevote. Bounded: the oldest entry leaves first.
 */
export class RecentSignatures implements SignatureMemo {
  private readonly seen = new Map<string, { publicKey: Uint8Array; message: Uint8Array }>();

  constructor(private readonly capacity = 4096) {}

  private static key(signature: Uint8Array): string {
    return Buffer.from(signature.buffer, signature.byteOffset, signature.length).toString("latin1");
  }

  add(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void {
    if (signature.length !== SIGNATURE_LENGTH) return;
    const key = RecentSignatures.key(signature);
    this.seen.delete(key);
    this.seen.set(key, { publicKey: publicKey.slice(), message: message.slice() });
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }

  has(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_LENGTH) return false;
    const s = this.seen.get(RecentSignatures.key(signature));
    return s !== undefined && sameBytes(s.publicKey, publicKey) && sameBytes(s.message, message);
  }

  get size(): number {
    return this.seen.size;
  }
}

const SIGNATURE_LENGTH = 64;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `verify`, answered from `memo` when it already holds this exact signature; successes are remembered. */
export function verifyRemembered(
  memo: SignatureMemo | undefined,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (memo?.has(publicKey, message, signature)) return true;
  const ok = verify(publicKey, message, signature);
  if (ok) memo?.add(publicKey, message, signature);
  return ok;
}
