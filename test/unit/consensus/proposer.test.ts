import { describe, expect, it } from "vitest";
import { advanceHeight, createValidatorSet, proposerFor } from "../../../src/core/chain/validator-set.js";
import { toHex } from "../../../src/core/codec/index.js";
import { sha256 } from "../../../src/core/crypto/index.js";

const v = (i: number, power: bigint, workWeight: bigint) => ({
  address: sha256(new Uint8Array([i])).slice(0, 20),
  publicKey: sha256(new Uint8Array([i, 2])),
  power,
  workWeight,
});

function frequencies(set: ReturnType<typeof createValidatorSet>, heights: number): Map<string, number> {
  const counts = new Map<string, number>();
  let s = set;
  for (let h = 0; h < heights; h++) {
    const p = toHex(proposerFor(s, 0).address);
    counts.set(p, (counts.get(p) ?? 0) + 1);
    s = advanceHeight(s);
  }
  return counts;
}

describe("proposer selection (weighted round robin over stake × workWeight)", () => {
  it("is proportional to power × workWeight over 10,000 heights", () => {
    const vals = [v(1, 10n, 10_000n), v(2, 20n, 10_000n), v(3, 10n, 30_000n), v(4, 40n, 5_000n)];
    const set = createValidatorSet(vals);
    const counts = frequencies(set, 10_000);
    const weights = vals.map((x) => Number(x.power * x.workWeight));
    const total = weights.reduce((a, b) => a + b, 0);
    vals.forEach((x, i) => {
      const expected = (10_000 * (weights[i] as number)) / total;
      expect(Math.abs((counts.get(toHex(x.address)) ?? 0) - expected)).toBeLessThanOrEqual(2);
    });
  });

  it("is deterministic and breaks ties by the lower address", () => {
    const set = createValidatorSet([v(1, 10n, 10_000n), v(2, 10n, 10_000n), v(3, 10n, 10_000n)]);
    const first = proposerFor(set, 0).address;
    const lowest = [...set.validators].map((x) => toHex(x.address)).sort()[0];
    expect(toHex(first)).toBe(lowest);
    expect(proposerFor(set, 0)).toEqual(
      proposerFor(createValidatorSet([v(3, 10n, 10_000n), v(1, 10n, 10_000n), v(2, 10n, 10_000n)]), 0),
    );
  });

  it("rotates through every validator across rounds of one height", () => {
    const set = createValidatorSet([
      v(1, 10n, 10_000n),
      v(2, 10n, 10_000n),
      v(3, 10n, 10_000n),
      v(4, 10n, 10_000n),
    ]);
    const seen = new Set([0, 1, 2, 3].map((r) => toHex(proposerFor(set, r).address)));
    expect(seen.size).toBe(4);
  });

  it("a validator with workWeight 0 never proposes but the others still do", () => {
    const zero = v(9, 100n, 0n);
    const counts = frequencies(createValidatorSet([zero, v(1, 10n, 10_000n), v(2, 10n, 10_000n)]), 500);
    expect(counts.get(toHex(zero.address))).toBeUndefined();
  });
});
