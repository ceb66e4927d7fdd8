import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * test/vectors/shared/ is a byte-exact copy of ../shared/vectors (CI may not have ../shared). Its
 * README.md records each data file's SHA-256 and provenance; the same sums are pinned here too, so
 * editing a data file and its README together still fails.
 */
const DIR = resolve(import.meta.dirname, "shared");
const PINNED: Record<string, string> = {
  "bip39-trezor.json": "fa3b937b7cff9c9b8ecd3aa011faeb8d6dd67993174b72326e83f4de8fdb30f8",
  "wycheproof-ed25519.json": "752d2ea7d7c6cf4736381b6cbacb61f8182b126ab7cd9b058f00c50084975536",
  "ed25519-speccheck-cases.json": "08e47a36d9aead288664930505584f353fff113ab854f2800db1e4f5b3540450",
  "slip10-ed25519.json": "d9e33986fd15090b6b35ecc171eeb7ebced68e1204ef59b6ea94a7f64569cf69",
  "rfc8032-ed25519.json": "0354a38de05911567488ff320db2da040ccc9e65a0ec74bbec6a12fa49d9af21",
};

/** `<sha256>  <file>` lines of the README's checksum block. */
function readmeSums(): Record<string, string> {
  const readme = readFileSync(resolve(DIR, "README.md"), "utf8");
  const sums: Record<string, string> = {};
  for (const m of readme.matchAll(/^([0-9a-f]{64}) {2}(\S+\.json)$/gm)) sums[m[2] as string] = m[1] as string;
  return sums;
}

const sha256File = (f: string) =>
  createHash("sha256")
    .update(readFileSync(resolve(DIR, f)))
    .digest("hex");

describe("vendored shared vectors", () => {
  it("the README lists exactly the vendored data files, with the pinned sums", () => {
    const jsonFiles = readdirSync(DIR).filter((f) => f.endsWith(".json"));
    expect(Object.keys(readmeSums()).sort()).toEqual(jsonFiles.sort());
    expect(readmeSums()).toEqual(PINNED);
  });

  for (const [file, sum] of Object.entries(PINNED)) {
    it(`${file} has the SHA-256 its README records`, () => expect(sha256File(file)).toBe(sum));
  }
});
