import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, StateTree } from "../../../src/core/chain/index.js";

const k = (n: number) => new Uint8Array([n >> 8, n & 0xff]);
const v = (n: number) => new Uint8Array([n & 0xff, 7]);

describe("state tree", () => {
  it("gets what was set, and the empty tree has the zero root", () => {
    expect(StateTree.empty().root()).toEqual(EMPTY_ROOT);
    let t = StateTree.empty();
    for (let i = 0; i < 200; i++) t = t.set(k(i), v(i));
    for (let i = 0; i < 200; i++) expect(t.get(k(i))).toEqual(v(i));
    expect(t.get(k(999))).toBeUndefined();
    expect(t.size).toBe(200);
  });

  it("has the same root for the same contents whatever the insertion order (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
        fc.integer(),
        (keys, seed) => {
          const a = keys.reduce((t, x) => t.set(k(x), v(x)), StateTree.empty());
          const shuffled = [...keys].sort((x, y) => ((x * 7919 + seed) % 101) - ((y * 7919 + seed) % 101));
          const b = shuffled.reduce((t, x) => t.set(k(x), v(x)), StateTree.empty());
          expect(a.root()).toEqual(b.root());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("changes the root on any single change, and deleting restores the previous root", () => {
    let t = StateTree.empty();
    for (let i = 0; i < 50; i++) t = t.set(k(i), v(i));
    const r = t.root();
    const changed = t.set(k(3), v(99));
    expect(changed.root()).not.toEqual(r);
    const added = t.set(k(1000), v(1));
    expect(added.root()).not.toEqual(r);
    expect(added.delete(k(1000)).root()).toEqual(r);
    expect(t.delete(k(4)).delete(k(4)).size).toBe(49);
    expect(t.root()).toEqual(r); // old versions are untouched
  });

  it("records written keys in a journal", () => {
    const journal: Uint8Array[] = [];
    const t = StateTree.empty().withJournal(journal).set(k(1), v(1)).set(k(2), v(2)).delete(k(1));
    expect(journal).toEqual([k(1), k(2), k(1)]);
    expect([...t.entries()]).toEqual([[k(2), v(2)]]);
  });
});
