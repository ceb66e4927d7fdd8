import { CodecError } from "./errors.js";

/**
 * 0x-hex for JSON and humans (DESIGN.md §2: JSON carries bytes as 0x-hex). Never hashed.
 */
export function toHex(bytes: Uint8Array): string {
  // PERF: Buffer's native hex gives one flat string. Appending two digits at a time built a rope of ~30
  // cons-strings per 32-byte hash, ~700 bytes of heap for every hash kept as a map key (mempool, caches).
  return `0x${bytesToString(bytes, "hex")}`;
}

/**
 * `bytes` as a hex or latin1 (one char per byte: the cheapest exact map key) string.
 * PERF: never touches `bytes.buffer`. V8 keeps typed arrays of ≤ 64 bytes (hashes, keys, addresses) on the JS
 * heap, and asking for their buffer moves them to a new off-heap store (≈0.3 µs, plus GC work to free it):
 * small inputs are copied into Node's shared buffer pool instead; larger ones are off-heap already.
 */
export function bytesToString(bytes: Uint8Array, encoding: "hex" | "latin1"): string {
  const b =
    bytes.length <= 64 ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString(encoding);
}

const HEX_RE = /^(0x)?([0-9a-fA-F]{2})*$/;

/**
 * Parses 0x-prefixed (or bare) hex. With `size`, the result must have exactly that many bytes.
 * @throws CodecError `CODEC_INVALID_VALUE` naming what was wrong.
 */
export function fromHex(hex: string, size?: number): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) {
    throw new CodecError(
      { code: "CODEC_INVALID_VALUE", reason: "not an even-length hex string", path: "" },
      "expected an even-length hex string (optionally 0x-prefixed)",
    );
  }
  const start = hex.startsWith("0x") ? 2 : 0;
  // PERF: Buffer's native hex decoder (the regex above already vetted the digits); a parseInt per byte was
  // most of the cost of parsing a submitted tx. Copied out so the result owns its bytes.
  const out = new Uint8Array(Buffer.from(start ? hex.slice(start) : hex, "hex"));
  if (size !== undefined && out.length !== size) {
    throw new CodecError(
      { code: "CODEC_INVALID_VALUE", reason: `expected ${size} bytes, got ${out.length}`, path: "" },
      `expected ${size} bytes of hex, got ${out.length}`,
    );
  }
  return out;
}

/** Byte-wise equality (constant-time is not needed: inputs are public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
