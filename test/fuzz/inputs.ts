import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { buildSeeds } from "./seeds.js";

/**
 * Fuzz inputs as a fast-check arbitrary: mostly corpus entries run through a stack of byte mutations
 * (bit flips, byte sets, inserts, deletes, truncation, slice duplication, splices from other entries,
 * "interesting" u32 values written over length prefixes), some pure random bytes, and for text targets
 * deeply nested JSON and huge numbers. Structure-aware in that it starts from real encodings, so most
 * inputs get past the first fields of a codec — the cheap stand-in for coverage guidance (see
 * docs/network-protocol.md "Design decisions": jazzer.js does not run here).
 */
export const CORPUS_DIR = new URL("./corpus/", import.meta.url).pathname;

/** The stored corpus of a target (one hex entry per line), or the built seeds when none is stored. */
export function corpusOf(target: string): Uint8Array[] {
  const file = join(CORPUS_DIR, `${target}.hex`);
  if (existsSync(file)) {
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    return lines.map((l) => new Uint8Array(Buffer.from(l, "hex")));
  }
  return buildSeeds()[target] ?? [];
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

type Mutation = (b: Uint8Array, corpus: Uint8Array[]) => Uint8Array;

const at = (b: Uint8Array, i: number) => (b.length ? i % b.length : 0);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(7)).map(
    ([i, bit]): Mutation =>
      (b) => {
        const o = new Uint8Array(b);
        const j = at(o, i);
        if (o.length) o[j] = (o[j] as number) ^ (1 << bit);
        return o;
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([i, v]): Mutation =>
      (b) => {
        const o = new Uint8Array(b);
        if (o.length) o[at(o, i)] = v;
        return o;
      },
  ),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(
    ([i, ins]): Mutation =>
      (b) => {
        const p = b.length ? i % (b.length + 1) : 0;
        return Buffer.concat([b.subarray(0, p), ins, b.subarray(p)]);
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 })).map(
    ([i, n]): Mutation =>
      (b) => {
        const p = at(b, i);
        return Buffer.concat([b.subarray(0, p), b.subarray(p + n)]);
      },
  ),
  fc.nat().map(
    (i): Mutation =>
      (b) =>
        b.subarray(0, b.length ? i % b.length : 0),
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...INTERESTING)).map(
    ([i, v]): Mutation =>
      (b) => {
        if (b.length < 4) return b;
        const o = Buffer.from(b);
        o.writeUInt32BE(v, i % (o.length - 3));
        return o;
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 64 }), fc.nat()).map(
    ([i, n, j]): Mutation =>
      (b) => {
        const p = at(b, i);
        const slice = b.subarray(p, p + n);
        const q = b.length ? j % (b.length + 1) : 0;
        return Buffer.concat([b.subarray(0, q), slice, b.subarray(q)]);
      },
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 128 })).map(
    ([e, i, j, n]): Mutation =>
      (b, corpus) => {
        const other = corpus[e % corpus.length] ?? b;
        const p = at(other, j);
        const q = b.length ? i % (b.length + 1) : 0;
        return Buffer.concat([b.subarray(0, q), other.subarray(p, p + n), b.subarray(q)]);
      },
  ),
);

const enc = (s: string) => new Uint8Array(Buffer.from(s));

/** Text-only inputs: deep nesting, huge and odd numbers, long strings. */
const textExtras = fc.oneof(
  fc.integer({ min: 1, max: 20_000 }).map((n) => enc(`${"[".repeat(n)}${"]".repeat(n)}`)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => enc(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`)),
  fc
    .constantFrom("1e400", "-0", "18446744073709551616", "9007199254740993", "NaN", "-1", "0x10", "1.5")
    .map((n) => enc(`{"height":${JSON.stringify(n)},"round":${n},"step":2,"amount":"${n}","delayMs":${n}}`)),
  fc.integer({ min: 1, max: 200_000 }).map((n) => enc(JSON.stringify({ tx: `0x${"ab".repeat(n)}` }))),
);

/** The input arbitrary of a target: mutated corpus entries, random bytes, and (text) structured junk. */
export function inputsFor(corpus: Uint8Array[], text: boolean): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.nat(Math.max(0, corpus.length - 1)), fc.array(mutation, { minLength: 0, maxLength: 8 }))
    .map(([i, ms]) => ms.reduce((b, m) => m(b, corpus), corpus[i] ?? new Uint8Array()));
  const arbs: fc.WeightedArbitrary<Uint8Array>[] = [
    { arbitrary: mutated, weight: corpus.length ? 8 : 0 },
    { arbitrary: fc.uint8Array({ maxLength: 512 }), weight: 1 },
  ];
  if (text) arbs.push({ arbitrary: textExtras, weight: 1 });
  return fc.oneof(...arbs.filter((a) => a.weight > 0));
}
