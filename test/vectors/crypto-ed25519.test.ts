import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fromHex } from "../../src/core/codec/index.js";
import { getPublicKey, isValidPublicKey, sign, verify, verifyBatch } from "../../src/core/crypto/index.js";

const load = (f: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, "shared", f), "utf8"));

describe("RFC 8032 §7.1 vectors", () => {
  const vectors: {
    name: string;
    secretKey: string;
    publicKey: string;
    message: string;
    signature: string;
  }[] = load("rfc8032-ed25519.json");

  it("has all 5 vectors", () =>
    expect(vectors.map((v) => v.name)).toEqual(["1", "2", "3", "1024", "SHA(abc)"]));

  for (const v of vectors) {
    it(`TEST ${v.name}: derives the public key, signs byte-exactly, verifies`, async () => {
      const sk = fromHex(v.secretKey);
      const msg = fromHex(v.message);
      const sig = fromHex(v.signature);
      const pk = fromHex(v.publicKey);
      expect(getPublicKey(sk)).toEqual(pk);
      expect(sign(sk, msg)).toEqual(sig);
      expect(verify(pk, msg, sig)).toBe(true);
      expect(await verifyBatch([{ publicKey: pk, message: msg, signature: sig }])).toEqual([true]);
      const bad = sig.slice();
      bad[0] = (bad[0] as number) ^ 1;
      expect(verify(pk, msg, bad)).toBe(false);
    });
  }
});

describe("Wycheproof ed25519 (151 cases)", () => {
  const w = load("wycheproof-ed25519.json");
  const cases: { tcId: number; pk: string; msg: string; sig: string; result: string; comment: string }[] = [];
  for (const g of w.testGroups) for (const t of g.tests) cases.push({ ...t, pk: g.publicKey.pk });

  it("has all 151 cases, each valid or invalid (none 'acceptable')", () => {
    expect(cases).toHaveLength(151);
    expect(new Set(cases.map((c) => c.result))).toEqual(new Set(["valid", "invalid"]));
  });

  it("our verdict equals the expected result for every case, sync and batch", async () => {
    const items = cases.map((c) => ({
      publicKey: fromHex(c.pk),
      message: fromHex(c.msg),
      signature: fromHex(c.sig),
    }));
    const sync = items.map((i) => verify(i.publicKey, i.message, i.signature));
    const batch = await verifyBatch(items);
    const mismatches = cases
      .filter((c, i) => sync[i] !== (c.result === "valid"))
      .map((c) => `${c.tcId}: ${c.comment}`);
    expect(mismatches).toEqual([]);
    expect(batch).toEqual(sync);
  });
});

describe("ed25519-speccheck edge cases (12)", () => {
  const cases: { message: string; pub_key: string; signature: string }[] = load(
    "ed25519-speccheck-cases.json",
  );
  /**
   * Our pinned verdict per case (V accept, X reject) and why. The rule is OpenSSL's cofactorless
   * verification (S < L enforced, R must decode canonically) plus our own rejection of small-order and
   * non-canonical public keys (DESIGN.md §2). A Node/OpenSSL upgrade that changes any verdict fails here.
   */
  const PINNED: [verdict: "V" | "X", why: string][] = [
    ["X", "0: small-order A (and R): our key check rejects small-order keys"],
    ["X", "1: small-order A: rejected by our key check"],
    [
      "V",
      "2: small-order R only, mixed-order A: valid under the cofactorless equation; R's order is not checked",
    ],
    ["V", "3: mixed-order A and R: passes both equations; full-order is not required"],
    ["X", "4: passes only the cofactored equation; OpenSSL is cofactorless"],
    ["X", "5: passes only the cofactored equation (non-prereduced); cofactorless rejects"],
    ["X", "6: S > L: OpenSSL enforces S < L (RFC 8032)"],
    ["X", "7: S >> L: rejected by the S < L check"],
    ["X", "8: non-canonical R, hash over reduced R: OpenSSL hashes R as sent, equation fails"],
    ["X", "9: non-canonical R, hash over R as sent: OpenSSL rejects the non-canonical R encoding"],
    ["X", "10: non-canonical A: rejected by our key check"],
    ["X", "11: non-canonical A (OpenSSL alone would accept): rejected by our key check"],
  ];

  it("has 12 cases and a pinned verdict for each", () => {
    expect(cases).toHaveLength(12);
    expect(PINNED).toHaveLength(12);
  });

  it("verify and verifyBatch give exactly the pinned verdicts", async () => {
    const items = cases.map((c) => ({
      publicKey: fromHex(c.pub_key),
      message: fromHex(c.message),
      signature: fromHex(c.signature),
    }));
    const got = items.map((i) => (verify(i.publicKey, i.message, i.signature) ? "V" : "X"));
    expect(got.join(" ")).toBe(PINNED.map(([v]) => v).join(" "));
    const batch = (await verifyBatch(items)).map((ok) => (ok ? "V" : "X"));
    expect(batch).toEqual(got);
  });

  it("the key check alone explains cases 0, 1, 10 and 11", () => {
    const keyOk = cases.map((c) => isValidPublicKey(fromHex(c.pub_key)));
    expect([0, 1, 10, 11].map((i) => keyOk[i])).toEqual([false, false, false, false]);
    expect([2, 3, 4, 5, 6, 7, 8, 9].every((i) => keyOk[i])).toBe(true);
  });
});
