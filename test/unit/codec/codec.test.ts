import { describe, expect, it } from "vitest";
import {
  bool,
  bytes,
  CodecError,
  decode,
  encode,
  enumOf,
  fixedBytes,
  fromHex,
  option,
  string,
  struct,
  toHex,
  u8,
  u16,
  u32,
  u64,
  union,
  vector,
} from "../../../src/core/codec/index.js";

function err(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error("expected a CodecError");
}

describe("codec rejections", () => {
  it("rejects over-limit lengths for bytes, strings and vectors, on decode and encode", () => {
    expect(err(() => decode(bytes(3), fromHex("0x0000000400000000"))).type).toMatchObject({
      code: "CODEC_LENGTH_LIMIT",
      length: 4,
      max: 3,
    });
    expect(err(() => decode(string(1), fromHex("0x000000026869"))).code).toBe("CODEC_LENGTH_LIMIT");
    expect(err(() => decode(vector(u8, 2), fromHex("0x00000003010203"))).code).toBe("CODEC_LENGTH_LIMIT");
    expect(err(() => encode(bytes(3), new Uint8Array(4))).code).toBe("CODEC_LENGTH_LIMIT");
    expect(err(() => encode(vector(u8, 1), [1, 2])).code).toBe("CODEC_LENGTH_LIMIT");
  });

  it("rejects a huge vector count against little input before allocating", () => {
    const e = err(() => decode(vector(u64, 1 << 30), fromHex("0x3fffffff00")));
    expect(e.code).toBe("CODEC_SHORT_INPUT");
  });

  it("rejects unknown union tags, enum indexes and option tags", () => {
    const U = union({ a: [1, u8], b: [5, u8] });
    expect(err(() => decode(U, fromHex("0x0200"))).type).toMatchObject({
      code: "CODEC_UNKNOWN_TAG",
      tag: 2,
      at: 0,
    });
    expect(err(() => decode(enumOf(["x", "y"] as const), fromHex("0x02"))).code).toBe("CODEC_UNKNOWN_TAG");
    expect(err(() => decode(option(u8), fromHex("0x0201"))).code).toBe("CODEC_UNKNOWN_TAG");
    expect(() => union({ a: [1, u8], b: [1, u16] })).toThrow(CodecError);
  });

  it("rejects a bool byte other than 0 or 1 and invalid UTF-8", () => {
    expect(err(() => decode(bool, fromHex("0x02"))).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => decode(string(8), fromHex("0x00000002c328"))).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(string(8), "\ud800")).code).toBe("CODEC_INVALID_VALUE"); // lone surrogate
  });

  it("keeps a leading BOM, so strings with one stay canonical", () => {
    const s = "\ufeffx";
    expect(decode(string(8), encode(string(8), s))).toBe(s);
  });

  it("rejects out-of-range and non-integer numbers on encode", () => {
    expect(err(() => encode(u8, 256)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u16, -1)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u32, 1.5)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u32, 2 ** 32)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u64, 1n << 64n)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u64, -1n)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(u64, 5 as unknown as bigint)).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => encode(fixedBytes(2), new Uint8Array(3))).code).toBe("CODEC_INVALID_VALUE");
  });

  it("names the failing field in the error path", () => {
    const C = struct({ outer: struct({ list: vector(struct({ n: u8 }), 4) }) });
    const e = err(() => encode(C, { outer: { list: [{ n: 1 }, { n: 300 }] } }));
    expect(e.type).toMatchObject({ code: "CODEC_INVALID_VALUE", path: ".outer.list[1].n" });
    expect(e.message).toMatch(/at \.outer\.list\[1\]\.n$/);
    // The count promises more elements than the input holds: rejected at the vector, before reading them.
    const d = err(() => decode(C, fromHex("0x0000000201")));
    expect(d.type).toMatchObject({ code: "CODEC_SHORT_INPUT", path: ".outer.list" });
    expect(d.message).toBe("input ends at byte 5: need 2 more byte(s) at offset 4 at .outer.list");
    const U = struct({ list: vector(union({ a: [1, u8] }), 4) });
    const t = err(() => decode(U, fromHex("0x00000002010509")));
    expect(t.type).toMatchObject({ code: "CODEC_UNKNOWN_TAG", tag: 9, path: ".list[1]" });
    expect(t.message).toBe("unknown type tag 9 at offset 6 at .list[1]");
  });

  it("reports trailing bytes with their offset", () => {
    expect(err(() => decode(u16, fromHex("0x000100"))).type).toEqual({
      code: "CODEC_TRAILING_BYTES",
      at: 2,
      extra: 1,
    });
  });

  it("decoded bytes do not alias the input buffer", () => {
    const input = fromHex("0x00000002abcd");
    const out = decode(bytes(4), input);
    input[4] = 0;
    expect(toHex(out)).toBe("0xabcd");
  });
});

describe("hex helpers", () => {
  it("round-trip with and without 0x", () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe("0x000fff");
    expect(fromHex("0x000fff")).toEqual(new Uint8Array([0, 15, 255]));
    expect(fromHex("000FFF")).toEqual(new Uint8Array([0, 15, 255]));
    expect(fromHex("0x")).toEqual(new Uint8Array(0));
  });

  it("reject odd lengths, non-hex characters and wrong sizes", () => {
    expect(err(() => fromHex("0x123")).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => fromHex("0xzz")).code).toBe("CODEC_INVALID_VALUE");
    expect(err(() => fromHex("0x1234", 3)).message).toMatch(/expected 3 bytes/);
  });
});
