import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventHeap } from "../../../src/sim/heap.js";

/** The simulator's event order must be exactly (time, order of scheduling): runs are reproducible by it. */
describe("sim event queue", () => {
  it("pops in (time, scheduling order) for any interleaving of pushes and pops", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), { maxLength: 300 }),
        (ops) => {
          const q = new EventHeap<number>();
          const ref: { at: number; seq: number }[] = [];
          let seq = 0;
          const popped: number[] = [];
          const expected: number[] = [];
          for (const op of ops) {
            if (op >= 0) {
              q.push(op, seq);
              ref.push({ at: op, seq });
              seq++;
            } else if (ref.length) {
              ref.sort((a, b) => a.at - b.at || a.seq - b.seq);
              const want = ref.shift() as { at: number; seq: number };
              expect(q.peekAt()).toBe(want.at);
              expected.push(want.seq);
              popped.push(q.pop() as number);
            } else {
              expect(q.pop()).toBeUndefined();
              expect(q.peekAt()).toBe(Number.POSITIVE_INFINITY);
            }
            expect(q.size).toBe(ref.length);
          }
          expect(popped).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
