import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets, nodeFaults } from "../helpers/devnet.js";

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
      // The devnet's memory counts the nodes' shared pages (the node binary) once: less than summed RSS.
      expect(j.memoryMB.rssSum).toBeGreaterThanOrEqual(j.nodes[0].peakRssMB + j.nodes[1].peakRssMB);
      expect(j.memoryMB.devnet).toBeGreaterThan(j.nodes[0].peakPrivateMB);
      if (process.platform === "linux") {
        expect(j.nodes[0].sharedMB).toBeGreaterThan(0);
        expect(j.memoryMB.devnet).toBeLessThan(j.memoryMB.rssSum);
      }
      expect(j.latencyMs.p50).toBeGreaterThan(0);
      expect(j.nodes).toHaveLength(2);
      // The load's txs were signed before it (rate × duration), so few or none were signed during it.
      expect(j.presigned).toBe(150);
      expect(j.signedDuringLoad).toBeLessThanOrEqual(10);
      expect(j.submitted).toBeLessThanOrEqual(j.presigned + j.signedDuringLoad);
      expect((await runCli(["bench", "--duration", "soon"], { home })).code).toBe(1);
      // --max-pending only makes sense with --max.
      expect((await runCli(["bench", "--rate", "5", "--max-pending", "10"], { home })).code).toBe(1);
    } finally {
      await killAllDevnets(home);
      cleanup();
    }
  }, 150_000);

  it("--max keeps at most --max-pending accepted txs waiting for finality (signing during the load)", async () => {
    const { dir: home, cleanup } = tempDir();
    try {
      const r = await runCli(
        [
          "bench",
          "-n",
          "1",
          "--duration",
          "3s",
          "--max",
          "--max-pending",
          "40",
          "--accounts",
          "20",
          "--no-presign",
          "--json",
        ],
        { home, timeout: 120_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const j = r.json();
      expect(j.presigned).toBe(0);
      expect(j.signedDuringLoad).toBe(j.submitted);
      expect(j.finalizedDuringLoad).toBeGreaterThan(40); // it kept submitting as blocks finalized
      expect(j.accepted - j.finalizedDuringLoad).toBeLessThanOrEqual(40);
      expect(j.finalized).toBe(j.accepted);
    } finally {
      await killAllDevnets(home);
      cleanup();
    }
  }, 150_000);

  it("refuses to load a devnet with a node that cannot catch up, naming it, and runs once it has", async () => {
    const { dir: home, cleanup } = tempDir();
    try {
      const up = await runCli(["devnet", "up", "-n", "4", "--json"], { home, timeout: 90_000 });
      expect(up.code, up.stderr).toBe(0);
      const lagging = up.json().nodes[3];
      const admin = (method: "POST" | "DELETE", body?: unknown) => nodeFaults(lagging, method, body);
      // Cut the node off from its peers: the other three keep finalizing (3 of 4 > 2/3), it falls behind.
      expect((await admin("POST", { peer: "*", drop: true })).status).toBe(200);
      const height = async (url: string) =>
        Number(((await (await fetch(`${url}/v1/status`)).json()) as any).height);
      while ((await height(up.json().nodes[0].apiUrl)) < (await height(lagging.apiUrl)) + 10) {
        await new Promise((res) => setTimeout(res, 100));
      }
      const bench = [
        "bench",
        "--devnet",
        "local",
        "--duration",
        "1s",
        "--rate",
        "20",
        "--accounts",
        "5",
        "--json",
      ];
      const r = await runCli(bench, { home, timeout: 90_000 });
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe("DEVNET_OUT_OF_SYNC");
      expect(r.json().error.message).toContain(lagging.apiUrl);
      expect((await admin("DELETE")).status).toBe(200);
      const ok = await runCli(bench, { home, timeout: 90_000 });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json().finalized).toBe(ok.json().accepted);
    } finally {
      await killAllDevnets(home);
      cleanup();
    }
  }, 180_000);
});
