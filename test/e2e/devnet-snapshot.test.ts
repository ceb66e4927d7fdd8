import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * `devnet snapshot save|load|list|rm` on a real 4-validator devnet (issue 17): a loaded devnet has every
 * block hash up to the saved height and every balance of then, and goes on producing blocks from there.
 */
describe("devnet snapshot (real devnet)", () => {
  let home: string;
  let cleanup: () => void;
  const accounts = ["alice", "bob", "carol"];
  const api = async (url: string, path: string) => (await fetch(`${url}/v1${path}`)).json() as Promise<any>;
  const nodes = async () =>
    (await runCli(["devnet", "status", "--json"], { home })).json().nodes as { apiUrl: string }[];
  const balances = async (url: string) => {
    const out: Record<string, string> = {};
    for (const a of accounts)
      out[a] = (await runCli(["query", "account", a, "--node", url, "--json"], { home })).json().balance;
    return out;
  };
  const hashes = async (url: string, upTo: number) => {
    const out: string[] = [];
    for (let h = 1; h <= upTo; h++) out.push((await api(url, `/blocks/${h}`)).hash);
    return out;
  };

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "4", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("save, more blocks and a transfer, load: hashes and balances are those of the saved height, and it goes on", async () => {
    const t = await runCli(
      ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "1234", "--wait", "--json"],
      { home },
    );
    expect(t.code, t.stderr).toBe(0);
    const save = await runCli(["devnet", "snapshot", "save", "s1", "--json"], { home, timeout: 120_000 });
    expect(save.code, save.stderr).toBe(0);
    const saved = save.json();
    const H = Number(saved.height);
    expect(H).toBeGreaterThan(1);
    // The devnet runs again after the save; nothing was sent since the transfer, so these are the balances
    // at the saved height.
    const first = (await nodes())[0]?.apiUrl as string;
    const before = await balances(first);
    const beforeHashes = await hashes(first, H);
    expect(beforeHashes[H - 1]).toBe(saved.blockHash);
    // The old timeline goes on: another transfer, more blocks.
    const t2 = await runCli(
      ["tx", "transfer", "--from", "bob", "--to", "carol", "--amount", "99", "--wait", "--json"],
      { home },
    );
    expect(t2.code, t2.stderr).toBe(0);
    expect((await balances(first)).carol).not.toBe(before.carol);

    const list = await runCli(["devnet", "snapshot", "list", "--json"], { home });
    expect(list.json().snapshots.map((s: any) => [s.name, s.height])).toEqual([["s1", saved.height]]);
    const refused = await runCli(["devnet", "snapshot", "load", "s1", "--json"], { home });
    expect(refused.code).toBe(1);
    expect(refused.json().error.code).toBe("SNAPSHOT_TARGET_EXISTS");

    const load = await runCli(["devnet", "snapshot", "load", "s1", "--force", "--json"], {
      home,
      timeout: 120_000,
    });
    expect(load.code, load.stderr).toBe(0);
    const loaded = await nodes();
    expect(loaded).toHaveLength(4);
    // Every node of the loaded devnet has the saved blocks, byte for byte (by hash).
    for (const n of loaded) expect(await hashes(n.apiUrl, H)).toEqual(beforeHashes);
    // …and the chain goes on from the saved height, every node following.
    const w = await runCli(["devnet", "wait", "--height", String(H + 5), "--timeout", "60"], { home });
    expect(w.code, w.stderr).toBe(0);
    expect(await balances(loaded[0]?.apiUrl as string)).toEqual(before);
    const after = await runCli(
      ["tx", "transfer", "--from", "carol", "--to", "alice", "--amount", "5", "--wait", "--json"],
      { home },
    );
    expect(after.code, after.stderr).toBe(0);
  }, 300_000);

  it("rm deletes a snapshot; unknown names and bad names are clear errors", async () => {
    const rm = await runCli(["devnet", "snapshot", "rm", "s1", "--json"], { home });
    expect(rm.code, rm.stderr).toBe(0);
    expect((await runCli(["devnet", "snapshot", "list", "--json"], { home })).json().snapshots).toEqual([]);
    const missing = await runCli(["devnet", "snapshot", "load", "s1"], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: no snapshot named "s1"/m);
    const bad = await runCli(["devnet", "snapshot", "save", "../x", "--json"], { home });
    expect(bad.code).toBe(1);
    expect(bad.json().error.code).toBe("SNAPSHOT_BAD_NAME");
  }, 60_000);
});
