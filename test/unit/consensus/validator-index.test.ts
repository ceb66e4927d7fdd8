import { describe, expect, it } from "vitest";
import { createValidatorSet, indexOfValidator } from "../../../src/core/chain/validator-set.js";
import { validatorIndex } from "../../../src/core/consensus/index.js";
import { sha256 } from "../../../src/core/crypto/index.js";

const v = (i: number) => ({
  address: sha256(new Uint8Array([i])).slice(0, 20),
  publicKey: sha256(new Uint8Array([i, 2])),
  power: 10n,
  workWeight: 10_000n,
});

// The engine's cached look-up must answer exactly as the binary search, whichever sets an address object
// was seen with before (its cache is keyed by the address object and the list it was found in).
describe("validatorIndex", () => {
  it("equals indexOfValidator across sets with other address objects and other memberships", () => {
    const vals = Array.from({ length: 12 }, (_, i) => v(i));
    const voter = vals[5]?.address.slice() as Uint8Array; // a vote's own copy of the address
    const sets = [
      createValidatorSet(vals),
      createValidatorSet(vals.map((x) => ({ ...x, address: x.address.slice() }))), // decoded anew
      createValidatorSet(vals.filter((_, i) => i % 3 !== 0)), // members left: indexes shift
      createValidatorSet(vals.filter((_, i) => i !== 5)), // the voter left
      createValidatorSet([...vals, v(40), v(41), v(42)]), // members joined
    ];
    for (let round = 0; round < 3; round++)
      for (const set of [...sets, ...sets.slice().reverse()]) {
        expect(validatorIndex(set, voter)).toBe(indexOfValidator(set, voter));
        for (const x of set.validators)
          expect(validatorIndex(set, x.address)).toBe(indexOfValidator(set, x.address));
      }
    expect(validatorIndex(sets[3] as (typeof sets)[number], voter)).toBe(-1);
  });
});
