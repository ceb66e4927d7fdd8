import { describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/node/metrics.js";

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
});
