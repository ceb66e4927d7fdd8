import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpusOf, inputsFor } from "../fuzz/inputs.js";
import { TARGETS } from "../fuzz/targets.js";

/**
 * The short CI run of every fuzz target (issue 23 item 1; the long run is `npm run fuzz -- all --runs
 * 1000000`): each stored corpus entry, then mutated ones, through the real parsers; only typed errors
 * are allowed.
 */
const RUNS = Number(process.env.FASTPOS_FUZZ_RUNS ?? 400);

describe("fuzz targets (short run)", () => {
  for (const t of TARGETS) {
    it(`${t.name}: ${t.about}`, () => {
      const corpus = corpusOf(t.name);
      expect(corpus.length, "a stored corpus").toBeGreaterThan(0);
      for (const entry of corpus) t.run(entry);
      fc.assert(
        fc.property(inputsFor(corpus, !!t.text), (b) => t.run(b)),
        { numRuns: RUNS, seed: 23 },
      );
    });
  }
});
