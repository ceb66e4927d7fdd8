import { CodecError } from "./errors.js";

/**
 * 64-bit integers go through this one 8-byte scratch view (a DataView per Writer/Reader cost more than the
 * values it converted: see below).
 */
const SCRATCH = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

/**
 * Growable output buffer for canonical encoding. Integers are fixed-width big-endian (DESIGN.md §2).
 * PERF: no `.buffer`, DataView or `subarray` of the buffer. V8 keeps typed arrays of ≤ 64 bytes on the JS
 * heap, and any of those moves the bytes to a new off-heap store (≈0.3 µs, plus GC work to free it) — for
 * the small records (accounts, hashes) encoded on every tx, that was most of the cost of encoding them.
 */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = v >>> 16;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
  }

  u64(v: bigint): void {
    this.ensure(8);
    SCRATCH_VIEW.setBigUint64(0, v);
    this.buf.set(SCRATCH, this.pos);
    this.pos += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The bytes written so far: the buffer itself when it is full, else a copy (the writer must not be reused). */
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}

/** Bounds-checked input cursor. Every read that would pass the end throws `CODEC_SHORT_INPUT`. */
export class Reader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CodecError(
        { code: "CODEC_SHORT_INPUT", at: this.pos, need: n, have: this.remaining, path: "" },
        `input ends at byte ${this.buf.length}: need ${n} more byte(s) at offset ${this.pos}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    const v = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    for (let i = 0; i < 8; i++) SCRATCH[i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return SCRATCH_VIEW.getBigUint64(0);
  }

  /** Returns a copy so decoded values never alias (and pin) the input buffer. */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
