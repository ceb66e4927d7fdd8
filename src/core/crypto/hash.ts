import { hash } from "node:crypto";
import { concatBytes } from "../codec/index.js";

/**
 * SHA-256 of the concatenation of `parts` (DESIGN.md §2: the one hash), as a plain 32-byte Uint8Array
 * of its own. Never throws for byte inputs; no parts hashes the empty string.
 * PERF: measured here (Node 20, OpenSSL 3.0): node:crypto one-shot `hash()` 0.59 µs per 64-byte input,
 * `createHash` 0.86 µs, @noble/hashes 1.1 µs; for 4 KiB 2.5 / 3.1 / 18.7 µs. Hence `hash()`.
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  // PERF: the digest comes back as a 32-char "binary" (latin1) string (one char per byte) and is copied into an
  // on-heap Uint8Array: 0.37 µs per hash against 0.83 µs for `"buffer"` output, whose off-heap 32-byte
  // backing store per call made up much of a loaded node's young-generation GC work.
  const s = hash("sha256", parts.length === 1 ? (parts[0] as Uint8Array) : joined(parts), "binary");
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * PERF: small multi-part inputs (state-tree and Merkle nodes: 65–67 bytes, a new off-heap buffer each) are
 * joined in one reused scratch buffer; `hash()` reads its input synchronously, so reuse is safe.
 */
const scratch = new Uint8Array(1024);
function joined(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  if (n > scratch.length) return concatBytes(...parts);
  let o = 0;
  for (const p of parts) {
    scratch.set(p, o);
    o += p.length;
  }
  return scratch.subarray(0, n);
}
