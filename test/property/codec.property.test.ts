import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bool,
  bytes,
  type Codec,
  CodecError,
  decode,
  encode,
  enumOf,
  fixedBytes,
  option,
  string,
  struct,
  u8,
  u16,
  u32,
  u64,
  union,
  vector,
} from "../../src/core/codec/index.js";

const RUNS = 10_000;

/** A nested codec that exercises every combinator at once. */
const Inner = struct({ flag: bool, tag: enumOf(["a", "b", "c"] as const), data: bytes(16) });
const Nested = struct({
  id: u64,
  small: u8,
  mid: u16,
  big: u32,
  name: string(32),
  hash: fixedBytes(4),
  items: vector(union({ one: [1, Inner], two: [2, option(u32)], three: [9, vector(u8, 4)] }), 4),
  maybe: option(Inner),
});

const innerArb = fc.record({
  flag: fc.boolean(),
  tag: fc.constantFrom("a" as const, "b" as const, "c" as const),
  data: fc.uint8Array({ maxLength: 16 }),
});
const nestedArb = fc.record({
  id: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  small: fc.integer({ min: 0, max: 255 }),
  mid: fc.integer({ min: 0, max: 65535 }),
  big: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  name: fc.string({ unit: "binary", maxLength: 8 }).filter((s) => new TextEncoder().encode(s).length <= 32),
  hash: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  items: fc.array(
    fc.oneof(
      fc.record({ type: fc.constant("one" as const), value: innerArb }),
      fc.record({
        type: fc.constant("two" as const),
        value: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 })),
      }),
      fc.record({
        type: fc.constant("three" as const),
        value: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }),
      }),
    ),
    { maxLength: 4 },
  ),
  maybe: fc.option(innerArb),
});

function roundTrips<T>(name: string, codec: Codec<T>, arb: fc.Arbitrary<T>): void {
  it(`${name}: decode(encode(x)) equals x`, () => {
    fc.assert(
      fc.property(arb, (x) => {
        expect(decode(codec, encode(codec, x))).toEqual(x);
      }),
      { numRuns: RUNS },
    );
  });
}

/** For arbitrary bytes: decoding either fails with a CodecError only, or re-encodes to the same bytes. */
function canonical<T>(name: string, codec: Codec<T>, maxLength: number): void {
  it(`${name}: any accepted byte string is canonical; anything else is a CodecError`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength }), (b) => {
        let v: T;
        try {
          v = decode(codec, b);
        } catch (err) {
          expect(err).toBeInstanceOf(CodecError);
          return;
        }
        expect(encode(codec, v)).toEqual(b);
      }),
      { numRuns: RUNS },
    );
  });
}

describe("codec properties (fast-check, 10,000 runs each)", () => {
  roundTrips("u8", u8, fc.integer({ min: 0, max: 255 }));
  roundTrips("u16", u16, fc.integer({ min: 0, max: 65535 }));
  roundTrips("u32", u32, fc.integer({ min: 0, max: 2 ** 32 - 1 }));
  roundTrips("u64", u64, fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  roundTrips("bool", bool, fc.boolean());
  roundTrips("bytes", bytes(64), fc.uint8Array({ maxLength: 64 }));
  roundTrips("string", string(256), fc.string({ unit: "grapheme", maxLength: 40 }));
  roundTrips("nested struct", Nested, nestedArb);

  canonical("u64", u64, 12);
  canonical("bool", bool, 2);
  canonical("string", string(16), 24);
  canonical("option<u16>", option(u16), 4);
  canonical("nested struct", Nested, 96);

  it("nested struct: a valid encoding plus any trailing byte is CODEC_TRAILING_BYTES", () => {
    fc.assert(
      fc.property(nestedArb, fc.integer({ min: 0, max: 255 }), (x, extra) => {
        const b = encode(Nested, x);
        expect(() => decode(Nested, new Uint8Array([...b, extra]))).toThrow(
          expect.objectContaining({ code: "CODEC_TRAILING_BYTES" }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("nested struct: every strict prefix of a valid encoding is CODEC_SHORT_INPUT", () => {
    fc.assert(
      fc.property(nestedArb, fc.nat(), (x, cut) => {
        const b = encode(Nested, x);
        const prefix = b.slice(0, cut % b.length);
        expect(() => decode(Nested, prefix)).toThrow(expect.objectContaining({ code: "CODEC_SHORT_INPUT" }));
      }),
      { numRuns: RUNS },
    );
  });
});
