import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpusOf, inputsFor } from "../fuzz/inputs.js";
import { ACCEPTED, OutcomeCounts } from "../fuzz/outcomes.js";
import { TARGETS } from "../fuzz/targets.js";

/**
 * The short CI run of every fuzz target (issue 23 item 1; the long run and its results are in
 * test/fuzz/README.md): each stored corpus entry, then mutated ones, through the real parsers; only typed
 * errors are allowed. Every corpus entry must still be accepted (a codec change that leaves the corpus
 * stale would otherwise turn it into a corpus of refusals that reach no deep path), and the mutated inputs
 * must give both accepted values and typed refusals.
 */
const RUNS = Number(process.env.FASTPOS_FUZZ_RUNS ?? 400);

/**
 * PERF: as in test/fuzz/run.ts, refusals build errors whose stack traces no parser reads; without them the
 * short run takes less time. A failing input is re-run with stacks on.
 */
function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

describe("fuzz targets (short run)", () => {
  for (const t of TARGETS) {
    it(`${t.name}: ${t.about}`, () => {
      const corpus = corpusOf(t.name);
      expect(corpus.length, "a stored corpus").toBeGreaterThan(0);
      for (const entry of corpus) expect(t.run(entry), "a corpus entry").toBe(ACCEPTED);
      const seen = new OutcomeCounts();
      const r = withoutStacks(() =>
        fc.check(
          fc.property(inputsFor(corpus, !!t.text), (b) => {
            seen.add(t.run(b));
          }),
          { numRuns: RUNS, seed: 23 },
        ),
      );
      if (r.failed) {
        t.run(r.counterexample?.[0] as Uint8Array); // throws the finding again, with its stack
        throw new Error(fc.defaultReportMessage(r) ?? "fuzz property failed");
      }
      expect(seen.accepted(), "accepted inputs").toBeGreaterThan(0);
      expect(seen.total - seen.accepted(), "refused inputs").toBeGreaterThan(0);
    });
  }
});
