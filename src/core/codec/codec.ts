import { CodecError } from "./errors.js";
import { Reader, Writer } from "./io.js";

/**
 * A canonical binary codec as a value (STYLE.md "Codec as a value"): types are derived from codecs with
 * `ValueOf`, never written twice. Every codec has exactly one encoding per value, and `read` rejects
 * anything else, so `encode(decode(b)) == b` for every accepted `b` (DESIGN.md §2).
 */
export interface Codec<T> {
  /** Short human description, used in docs and error messages. */
  readonly kind: string;
  /** Smallest possible encoded size; bounds vector counts against the remaining input. */
  readonly minSize: number;
  /** Appends the encoding of `v`; throws `CODEC_INVALID_VALUE` / `CODEC_LENGTH_LIMIT` for bad values. */
  write(w: Writer, v: T): void;
  /** Reads one value; throws a `CodecError` for anything that is not a canonical encoding. */
  read(r: Reader): T;
}

/** The TypeScript type a codec encodes. */
export type ValueOf<C> = C extends Codec<infer T> ? T : never;

// biome-ignore lint/suspicious/noExplicitAny: codec maps need an existential element type.
type AnyCodec = Codec<any>;

/**
 * Re-throws a CodecError with `segment` prepended to its path, so errors name the failing field.
 * PERF: the error is extended in place as it unwinds, not replaced by a new one per level: a new Error
 * captures a stack trace, and rejecting one bad field 6 levels deep cost 7 of them (the main cost of
 * refusing garbage, found by profiling the fuzz targets). The message gains ` at PATH` once.
 */
function prefixPath(err: unknown, segment: string): never {
  if (err instanceof CodecError && "path" in err.type) {
    const first = err.type.path === "";
    err.type.path = segment + err.type.path;
    err.message = `${first ? err.message : err.message.replace(/ at \S+$/, "")} at ${err.type.path}`;
  }
  throw err;
}

function invalid(reason: string): CodecError {
  return new CodecError({ code: "CODEC_INVALID_VALUE", reason, path: "" }, reason);
}

function lengthLimit(at: number, length: number, max: number): CodecError {
  return new CodecError(
    { code: "CODEC_LENGTH_LIMIT", at, length, max, path: "" },
    `length ${length} exceeds the limit of ${max}`,
  );
}

function uint(bits: 8 | 16 | 32): Codec<number> {
  const max = 2 ** bits - 1;
  const kind = `u${bits}`;
  return {
    kind,
    minSize: bits / 8,
    write(w, v) {
      if (!Number.isInteger(v) || v < 0 || v > max) throw invalid(`${kind} out of range: ${String(v)}`);
      if (bits === 8) w.u8(v);
      else if (bits === 16) w.u16(v);
      else w.u32(v);
    },
    read(r) {
      return bits === 8 ? r.u8() : bits === 16 ? r.u16() : r.u32();
    },
  };
}

/** Unsigned 8-bit integer (a JS number). */
export const u8: Codec<number> = uint(8);
/** Unsigned 16-bit big-endian integer (a JS number). */
export const u16: Codec<number> = uint(16);
/** Unsigned 32-bit big-endian integer (a JS number). */
export const u32: Codec<number> = uint(32);

/** Largest u64, the ceiling of all amounts (DESIGN.md §3: overflow is an error, never a wrap). */
export const U64_MAX = (1n << 64n) - 1n;

/** Unsigned 64-bit big-endian integer (a bigint): amounts, heights, nonces, times. */
export const u64: Codec<bigint> = {
  kind: "u64",
  minSize: 8,
  write(w, v) {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) throw invalid(`u64 out of range: ${String(v)}`);
    w.u64(v);
  },
  read: (r) => r.u64(),
};

/** Boolean as one byte, 0 or 1; any other byte is rejected. */
export const bool: Codec<boolean> = {
  kind: "bool",
  minSize: 1,
  write(w, v) {
    if (typeof v !== "boolean") throw invalid("bool expected");
    w.u8(v ? 1 : 0);
  },
  read(r) {
    const at = r.pos;
    const b = r.u8();
    if (b > 1) {
      throw new CodecError(
        { code: "CODEC_INVALID_VALUE", reason: `bool byte ${b} at offset ${at}`, path: "" },
        `bool must be 0 or 1, got ${b} at offset ${at}`,
      );
    }
    return b === 1;
  },
};

/** Default upper bound for variable-length byte strings: 1 MiB. */
export const DEFAULT_MAX_BYTES = 1 << 20;
/** Default upper bound for vector element counts. */
export const DEFAULT_MAX_ITEMS = 1 << 16;

/** Variable-length bytes: u32 length prefix, then the bytes. Lengths over `max` are rejected. */
export function bytes(max = DEFAULT_MAX_BYTES): Codec<Uint8Array> {
  return {
    kind: `bytes(<=${max})`,
    minSize: 4,
    write(w, v) {
      if (!(v instanceof Uint8Array)) throw invalid("bytes expected");
      if (v.length > max) throw lengthLimit(0, v.length, max);
      w.u32(v.length);
      w.raw(v);
    },
    read(r) {
      const at = r.pos;
      const len = r.u32();
      if (len > max) throw lengthLimit(at, len, max);
      return r.raw(len);
    },
  };
}

/** Fixed-size byte array (hashes, public keys, signatures, addresses): no prefix. */
export function fixedBytes(size: number): Codec<Uint8Array> {
  return {
    kind: `bytes[${size}]`,
    minSize: size,
    write(w, v) {
      if (!(v instanceof Uint8Array) || v.length !== size) {
        throw invalid(`expected ${size} bytes, got ${v instanceof Uint8Array ? v.length : typeof v}`);
      }
      w.raw(v);
    },
    read: (r) => r.raw(size),
  };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 string as `bytes`: invalid UTF-8 and lone surrogates are rejected so the encoding is canonical. */
export function string(max = 1024): Codec<string> {
  const inner = bytes(max);
  return {
    kind: `string(<=${max})`,
    minSize: 4,
    write(w, v) {
      if (typeof v !== "string" || !v.isWellFormed()) throw invalid("well-formed string expected");
      inner.write(w, utf8Encoder.encode(v));
    },
    read(r) {
      const raw = inner.read(r);
      try {
        return utf8Decoder.decode(raw);
      } catch {
        throw invalid("invalid UTF-8");
      }
    },
  };
}

/** Vector: u32 count, then each element. Counts over `max` (or impossible for the input) are rejected. */
export function vector<T>(item: Codec<T>, max = DEFAULT_MAX_ITEMS): Codec<T[]> {
  return {
    kind: `vector<${item.kind}>(<=${max})`,
    minSize: 4,
    write(w, v) {
      if (!Array.isArray(v)) throw invalid("array expected");
      if (v.length > max) throw lengthLimit(0, v.length, max);
      w.u32(v.length);
      let i = 0;
      try {
        for (; i < v.length; i++) item.write(w, v[i] as T);
      } catch (err) {
        prefixPath(err, `[${i}]`);
      }
    },
    read(r) {
      const at = r.pos;
      const count = r.u32();
      if (count > max) throw lengthLimit(at, count, max);
      // SECURITY: a count the remaining input cannot hold is rejected before any allocation.
      if (item.minSize > 0) r.need(count * item.minSize);
      const out = new Array<T>(count);
      let i = 0;
      try {
        for (; i < count; i++) out[i] = item.read(r);
      } catch (err) {
        prefixPath(err, `[${i}]`);
      }
      return out;
    },
  };
}

type Fields = Record<string, AnyCodec>;
/** The value type of a struct codec's fields. */
export type StructValue<F extends Fields> = { [K in keyof F]: ValueOf<F[K]> };

/** Struct: fields encoded in declaration order, no names or tags on the wire. */
export function struct<const F extends Fields>(fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    kind: `struct{${entries.map(([k, c]) => `${k}:${c.kind}`).join(",")}}`,
    minSize: entries.reduce((n, [, c]) => n + c.minSize, 0),
    write(w, v) {
      if (typeof v !== "object" || v === null) throw invalid("object expected");
      let name = "";
      try {
        for (const [k, c] of entries) {
          name = k;
          c.write(w, (v as Record<string, unknown>)[k]);
        }
      } catch (err) {
        prefixPath(err, `.${name}`);
      }
    },
    read(r) {
      const out: Record<string, unknown> = {};
      let name = "";
      try {
        for (const [k, c] of entries) {
          name = k;
          out[k] = c.read(r);
        }
      } catch (err) {
        prefixPath(err, `.${name}`);
      }
      return out as StructValue<F>;
    },
  };
}

/** Optional value: tag byte 0 = null, 1 = present; any other tag is rejected. */
export function option<T>(inner: Codec<T>): Codec<T | null> {
  return {
    kind: `option<${inner.kind}>`,
    minSize: 1,
    write(w, v) {
      if (v === null) return w.u8(0);
      w.u8(1);
      inner.write(w, v);
    },
    read(r) {
      const at = r.pos;
      const tag = r.u8();
      if (tag === 0) return null;
      if (tag === 1) return inner.read(r);
      throw unknownTag(at, tag);
    },
  };
}

function unknownTag(at: number, tag: number): CodecError {
  return new CodecError(
    { code: "CODEC_UNKNOWN_TAG", at, tag, path: "" },
    `unknown type tag ${tag} at offset ${at}`,
  );
}

/** String enum as a u8 index into `values` (order is part of the wire format: append only). */
export function enumOf<const V extends readonly string[]>(values: V): Codec<V[number]> {
  const index = new Map<string, number>(values.map((v, i) => [v, i]));
  return {
    kind: `enum(${values.join("|")})`,
    minSize: 1,
    write(w, v) {
      const i = index.get(v);
      if (i === undefined) throw invalid(`unknown enum value ${JSON.stringify(v)}`);
      w.u8(i);
    },
    read(r) {
      const at = r.pos;
      const i = r.u8();
      const v = values[i];
      if (v === undefined) throw unknownTag(at, i);
      return v;
    },
  };
}

type Variants = Record<string, readonly [number, AnyCodec]>;
/** The value type of a tagged union: `{type, value}` discriminated by `type`. */
export type UnionValue<V extends Variants> = {
  [K in keyof V & string]: { type: K; value: ValueOf<V[K][1]> };
}[keyof V & string];

/**
 * Tagged union: a u8 tag, then the variant's payload. Tags are explicit (not declaration order) so new
 * variants can be added without changing existing encodings; unknown tags are rejected on decode.
 */
export function union<const V extends Variants>(variants: V): Codec<UnionValue<V>> {
  const byTag = new Map<number, [string, AnyCodec]>();
  for (const [name, [tag, c]] of Object.entries(variants)) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 255 || byTag.has(tag)) {
      throw invalid(`union tag ${tag} for ${name} is not a unique u8`);
    }
    byTag.set(tag, [name, c]);
  }
  return {
    kind: `union(${Object.keys(variants).join("|")})`,
    minSize: 1,
    write(w, v) {
      const variant = variants[v?.type];
      if (!variant) throw invalid(`unknown union variant ${JSON.stringify(v?.type)}`);
      w.u8(variant[0]);
      try {
        variant[1].write(w, v.value);
      } catch (err) {
        prefixPath(err, `<${v.type}>`);
      }
    },
    read(r) {
      const at = r.pos;
      const tag = r.u8();
      const entry = byTag.get(tag);
      if (!entry) throw unknownTag(at, tag);
      try {
        return { type: entry[0], value: entry[1].read(r) } as UnionValue<V>;
      } catch (err) {
        prefixPath(err, `<${entry[0]}>`);
      }
    },
  };
}

/** Canonical encoding of `value`. Throws `CodecError` if the value does not fit the codec. */
export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  // PERF: fixed-size records of 16+ bytes (accounts, delegations) fit exactly, with no trimming copy.
  const w = new Writer(codec.minSize >= 16 ? codec.minSize : 64);
  codec.write(w, value);
  return w.finish();
}

/**
 * Strict decoding: the whole input must be exactly one canonical encoding.
 * @throws CodecError `CODEC_SHORT_INPUT`, `CODEC_TRAILING_BYTES`, `CODEC_LENGTH_LIMIT`,
 *   `CODEC_UNKNOWN_TAG` or `CODEC_INVALID_VALUE`.
 */
export function decode<T>(codec: Codec<T>, input: Uint8Array): T {
  const r = new Reader(input);
  const value = codec.read(r);
  if (r.remaining !== 0) {
    throw new CodecError(
      { code: "CODEC_TRAILING_BYTES", at: r.pos, extra: r.remaining },
      `${r.remaining} trailing byte(s) after offset ${r.pos}`,
    );
  }
  return value;
}
