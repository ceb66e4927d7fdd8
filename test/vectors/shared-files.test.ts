import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** The vendored copies of ../shared/vectors must stay byte-identical (SHA-256s from their README). */
const EXPECTED: Record<string, string> = {
  "bip39-trezor.json": "fa3b937b7cff9c9b8ecd3aa011faeb8d6dd67993174b72326e83f4de8fdb30f8",
  "wycheproof-ed25519.json": "752d2ea7d7c6cf4736381b6cbacb61f8182b126ab7cd9b058f00c50084975536",
  "ed25519-speccheck-cases.json": "08e47a36d9aead288664930505584f353fff113ab854f2800db1e4f5b3540450",
  "slip10-ed25519.json": "d9e33986fd15090b6b35ecc171eeb7ebced68e1204ef59b6ea94a7f64569cf69",
  "rfc8032-ed25519.json": "0354a38de05911567488ff320db2da040ccc9e65a0ec74bbec6a12fa49d9af21",
};

describe("vendored shared vectors", () => {
  for (const [file, sum] of Object.entries(EXPECTED)) {
    it(`${file} matches its recorded SHA-256`, () => {
      const bytes = readFileSync(resolve(import.meta.dirname, "shared", file));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(sum);
    });
  }
});
