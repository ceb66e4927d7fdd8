import { describe, expect, it } from "vitest";
import { bytesToString, decode, encode, toHex, u16, u32, u64 } from "../../../src/core/codec/index.js";

/** The writer and reader do their own big-endian byte math (no DataView per instance): pin it. */
describe("fixed-width integers", () => {
  const cases: [string, () => Uint8Array, string][] = [
    ["u16 0x0102", () => encode(u16, 0x0102), "0102"],
    ["u16 max", () => encode(u16, 0xffff), "ffff"],
    ["u32 0x01020304", () => encode(u32, 0x01020304), "01020304"],
    ["u32 high bit", () => encode(u32, 0x80000000), "80000000"],
    ["u32 max", () => encode(u32, 0xffffffff), "ffffffff"],
    ["u64 0x0102030405060708", () => encode(u64, 0x0102030405060708n), "0102030405060708"],
    ["u64 2^63", () => encode(u64, 2n ** 63n), "8000000000000000"],
    ["u64 max", () => encode(u64, 2n ** 64n - 1n), "ffffffffffffffff"],
  ];
  for (const [name, run, hex] of cases) {
    it(`${name} encodes big-endian`, () => expect(Buffer.from(run()).toString("hex")).toBe(hex));
  }

  it("decodes what it encodes, at the boundaries", () => {
    for (const v of [0, 1, 0x0102, 0xfffe, 0xffff]) expect(decode(u16, encode(u16, v))).toBe(v);
    for (const v of [0, 1, 0x01020304, 0x7fffffff, 0x80000000, 0xffffffff])
      expect(decode(u32, encode(u32, v))).toBe(v);
    for (const v of [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n])
      expect(decode(u64, encode(u64, v))).toBe(v);
  });

  it("reads integers inside a larger buffer at an offset", () => {
    const big = new Uint8Array(200);
    big.set([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8], 100);
    expect(decode(u32, big.subarray(100, 104))).toBe(0xdeadbeef);
    expect(decode(u64, big.subarray(104, 112))).toBe(0x0102030405060708n);
  });
});

describe("bytesToString", () => {
  it("gives the same hex and latin1 for small (on-heap) and large arrays and for views at an offset", () => {
    const big = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    for (const view of [big.slice(0, 32), big.subarray(5, 37), big.subarray(0, 100), big.slice(0, 65)]) {
      const ref = Buffer.from(Array.from(view));
      expect(bytesToString(view, "hex")).toBe(ref.toString("hex"));
      expect(bytesToString(view, "latin1")).toBe(ref.toString("latin1"));
      expect(toHex(view)).toBe(`0x${ref.toString("hex")}`);
    }
  });
});
