import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/** Smoke run of `fastpos bench` (seconds, not a measurement): keeps the load generator working. */
describe("fastpos bench (smoke)", () => {
  it("runs a short fixed-rate load on a temporary devnet and reports finalized txs and latency", async () => {
    const { dir: home, cleanup } = tempDir();
    try {
      const r = await runCli(
        ["bench", "-n", "2", "--duration", "3s", "--rate", "50", "--accounts", "20", "--json"],
        { home, timeout: 120_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const j = r.json();
      expect(j.validators).toBe(2);
      expect(j.accepted).toBeGreaterThan(100);
      expect(j.finalized).toBe(j.accepted);
      expect(j.finalizedDuringLoad).toBeLessThanOrEqual(j.finalized);
      expect(j.nodes[0].peakRssMB).toBeGreaterThan(0);
      expect(j.latencyMs.p50).toBeGreaterThan(0);
      expect(j.nodes).toHaveLength(2);
      expect((await runCli(["bench", "--duration", "soon"], { home })).code).toBe(1);
    } finally {
      await killAllDevnets(home);
      cleanup();
    }
  }, 150_000);
});
