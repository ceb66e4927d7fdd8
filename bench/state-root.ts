/**
 * Micro-benchmark: state-root update cost vs state size (issue: "cost grows with changed keys, not with
 * state size"). For each size, build a tree of N accounts, then time `set` of 100 random keys + `root()`.
 * Prints the median of 15 runs per size. Run: `node --import tsx bench/state-root.ts`.
 */
import { StateTree } from "../src/core/chain/state-tree.js";

const key = (i: number) => {
  const k = new Uint8Array(21);
  k[0] = 1;
  new DataView(k.buffer).setUint32(17, i);
  return k;
};
const value = (i: number) =>
  new Uint8Array([i & 255, (i >> 8) & 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

const sizes = (process.argv[2] ?? "1000,10000,100000,1000000").split(",").map(Number);
const rows: { size: number; medianMs: number; perKeyUs: number }[] = [];
for (const size of sizes) {
  let tree = StateTree.empty();
  for (let i = 0; i < size; i++) tree = tree.set(key(i), value(i));
  tree.root();
  const times: number[] = [];
  for (let run = 0; run < 15; run++) {
    let t = tree;
    const start = performance.now();
    for (let j = 0; j < 100; j++) t = t.set(key((j * 7919 + run * 104729) % size), value(run + j));
    t.root();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[7] as number;
  rows.push({
    size,
    medianMs: Number(medianMs.toFixed(3)),
    perKeyUs: Number(((medianMs * 1000) / 100).toFixed(1)),
  });
}
console.table(rows);
const first = rows[0] as (typeof rows)[number];
const last = rows[rows.length - 1] as (typeof rows)[number];
console.log(
  `state ×${last.size / first.size} → update cost ×${(last.medianMs / first.medianMs).toFixed(2)} (O(log n): ≈ ×${(Math.log2(last.size) / Math.log2(first.size)).toFixed(2)})`,
);
