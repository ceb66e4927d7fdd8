import { describe, expect, it } from "vitest";
import { createMetrics, residentSplit } from "../../../src/node/metrics.js";

describe("node metrics", () => {
  it("mempool gauges read the watched mempool when scraped", async () => {
    const m = createMetrics();
    const pool = { size: 7, totalBytes: 900 };
    m.watchMempool(pool);
    expect(await m.registry.metrics()).toMatch(/^fastpos_mempool_txs 7$/m);
    pool.size = 3;
    pool.totalBytes = 420;
    const text = await m.registry.metrics();
    expect(text).toMatch(/^fastpos_mempool_txs 3$/m);
    expect(text).toMatch(/^fastpos_mempool_bytes 420$/m);
  });

  it("splits resident memory into private and shared pages (smaps_rollup), and exports both", async () => {
    const rollup = [
      "55d4c0e5a000-7ffd4d1f6000 ---p 00000000 00:00 0                          [rollup]",
      "Rss:              101052 kB",
      "Pss:               61336 kB",
      "Shared_Clean:      43696 kB",
      "Shared_Dirty:          8 kB",
      "Private_Clean:        56 kB",
      "Private_Dirty:     57300 kB",
      "Anonymous:         57300 kB",
    ].join("\n");
    expect(residentSplit(rollup)).toEqual({ private: (56 + 57300) * 1024, shared: (43696 + 8) * 1024 });
    // A file without the fields (another kernel's format) is no answer rather than a wrong one.
    expect(residentSplit("Rss: 100 kB\n")).toBeNull();
    if (process.platform !== "linux") return;
    const own = residentSplit();
    expect(own?.private).toBeGreaterThan(0);
    expect(own?.shared).toBeGreaterThan(0); // at least the node binary's pages
    const text = await createMetrics().registry.metrics();
    expect(Number(/^fastpos_process_private_memory_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(Number(/^fastpos_process_shared_memory_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
