import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import type { NodeEventJson } from "../../src/core/api/contract.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";
import { until } from "../helpers/raw-peer.js";

/**
 * Issue 15, conflicting proposals with real processes: a 4-validator devnet where node3 signs two proposals
 * for each round it proposes. The others detect them, commit conflicting-proposal evidence once, and node3
 * is slashed and tombstoned while the chain keeps finalizing. Also: the byzantine switch is refused without
 * --unsafe.
 */
describe("a byzantine proposer (4 validators, processes)", () => {
  let home: string;
  let cleanup: () => void;
  let up: { nodes: { name: string; apiUrl: string }[] };
  const events: NodeEventJson[] = [];
  let sub: { close(): void } | undefined;
  const api = (i = 0) => createClient({ url: up.nodes[i]?.apiUrl as string, timeoutMs: 5000 });
  const cli = (args: string[]) => runCli(args, { home, timeout: 120_000 });

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await cli(["devnet", "up", "-n", "4", "--name", "byzprop", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
    sub = api(0).events({ types: ["evidence", "slash", "jail"], onEvent: (e) => events.push(e) });
  }, 150_000);

  afterAll(async () => {
    sub?.close();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("refuses byzantine mode without --unsafe, with one line and a hint", async () => {
    const r = await cli(["devnet", "byzantine", "node3", "--equivocate", "proposal"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: byzantine mode needs --unsafe\nHint: .*slashed/);
  });

  it("commits conflicting-proposal evidence once and tombstones the proposer", async () => {
    const r = await cli(["devnet", "byzantine", "node3", "--equivocate", "proposal", "--unsafe", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const name = (v: { name: string }) => v.name === "node3";
    await until(
      async () => (await api().validators()).validators.find(name)?.tombstoned === true,
      120_000,
      "tombstoned",
    );
    const v = (await api().validators()).validators.find(name);
    expect(v).toMatchObject({ status: "jailed", power: "0", slashed: "50000" });
    const committed = events.filter((e) => e.type === "evidence" && e.status === "committed");
    expect(committed).toEqual([expect.objectContaining({ kind: "proposal", validator: v?.address })]);
    const h0 = BigInt((await api().status()).height);
    await until(async () => BigInt((await api(1).status()).height) >= h0 + 5n, 60_000, "the others finalize");
    const log = readFileSync(join(home, "devnets", "byzprop", "node3", "logs", "node.log"), "utf8");
    expect(log).toMatch(/UNSAFE BYZANTINE MODE/);
  }, 240_000);
});
