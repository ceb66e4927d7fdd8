import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * Idle mode on real processes (issue 19 item 6): an idle devnet stops making a block every commit wait,
 * and a tx is still proposed at once. The interval here is 10 minutes, far beyond every bound in the test,
 * so a transfer that finalizes at all proves it did not wait for the interval.
 */
describe("idle mode (real devnet)", () => {
  let home: string;
  let cleanup: () => void;
  let up: any;
  const height = async (url: string) =>
    BigInt(((await (await fetch(`${url}/v1/status`)).json()) as { height: string }).height);

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "4", "--block-time", "10m", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("writes the interval into every node's config and reports it", () => {
    expect(up.blockTimeMs).toBe(600_000);
    for (const n of up.nodes)
      expect(readFileSync(join(n.home, "config.yaml"), "utf8")).toMatch(/emptyBlocksIntervalMs: 600000/);
  });

  it("a transfer proposes at once, then the chain idles until the next one", async () => {
    const to = up.accounts[1].address;
    const send = async () => {
      const r = await runCli(
        ["tx", "transfer", "--from", "alice", "--to", to, "--amount", "5", "--wait", "--json"],
        { home, timeout: 60_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      return BigInt(r.json().height);
    };
    const first = await send();
    // After a block with txs one more height starts at once (the mempool could have held more); after
    // that empty block the chain idles. Wait until every node has that block, then watch for a while:
    // without idle mode a devnet makes ~10 blocks a second.
    const api = up.nodes.map((n: any) => n.apiUrl as string);
    for (const deadline = Date.now() + 60_000; ; ) {
      const hs = await Promise.all(api.map(height));
      if (hs.every((h) => h >= first + 1n)) break;
      if (Date.now() > deadline) throw new Error(`nodes did not reach ${first + 1n}: ${hs}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // A deliberate observation window (not a wait for a condition): heights must not move during it.
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await Promise.all(api.map(height));
    for (const h of idle) expect(h).toBe(first + 1n);
    const second = await send();
    expect(second).toBe(first + 2n);
  }, 180_000);
});
