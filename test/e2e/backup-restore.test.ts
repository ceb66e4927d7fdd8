import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { blockHashesAt, killAllDevnets } from "../helpers/devnet.js";
import { corruptLevelTables } from "../helpers/level.js";

/**
 * `fastpos node backup` / `node restore` on a real 4-validator devnet (issue 17): a backup of a running node
 * and of a stopped one, restoring them, signer safety, and a corrupted database or backup file giving one
 * clear line and exit 1.
 */
describe("node backup and restore (real devnet)", () => {
  let home: string;
  let cleanup: () => void;
  let node1: { home: string; apiUrl: string };
  let nodes: { home: string; apiUrl: string }[];
  const files = () => join(home, "files");

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "4", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
    nodes = up.json().nodes;
    node1 = nodes[1] as { home: string; apiUrl: string };
    await runCli(["devnet", "wait", "--height", "5", "--timeout", "60"], { home });
    mkdirSync(files());
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  const signerState = () => readFileSync(join(node1.home, "data", "signer-state.json"), "utf8");

  it("backs up a running node through its API and a stopped one from its database", async () => {
    const live = await runCli(
      ["node", "backup", "--home", node1.home, "--out", join(files(), "live.fpbak"), "--json"],
      { home },
    );
    expect(live.code, live.stderr).toBe(0);
    expect(live.json()).toMatchObject({ source: "api" });
    expect(Number(live.json().height)).toBeGreaterThanOrEqual(5);
    // The node's own copy was moved out, not left behind.
    expect(readdirSync(join(node1.home, "data", "backups"))).toEqual([]);
    expect((await runCli(["devnet", "stop", "node1"], { home })).code).toBe(0);
    const cold = await runCli(
      ["node", "backup", "--home", node1.home, "--out", join(files(), "cold.fpbak"), "--json"],
      { home },
    );
    expect(cold.code, cold.stderr).toBe(0);
    expect(cold.json()).toMatchObject({ source: "db" });
    expect(Number(cold.json().height)).toBeGreaterThanOrEqual(Number(live.json().height));
  }, 120_000);

  it("restores over an existing database only with --force, keeps the home's newer signer state, and the node rejoins", async () => {
    const before = signerState();
    const refused = await runCli(
      ["node", "restore", "--home", node1.home, "--in", join(files(), "live.fpbak")],
      { home },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds a database/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const r = await runCli(
      ["node", "restore", "--home", node1.home, "--in", join(files(), "live.fpbak"), "--force", "--json"],
      { home },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ signer: "home" });
    expect(existsSync(r.json().replaced)).toBe(true);
    // SECURITY: the older backup never moved the signer state back.
    expect(signerState()).toBe(before);
    expect((await runCli(["devnet", "start", "node1"], { home })).code).toBe(0);
    const tip = Number((await runCli(["query", "status", "--json"], { home })).json().height);
    const w = await runCli(["devnet", "wait", "--height", String(tip + 5), "--timeout", "60"], { home });
    expect(w.code, w.stderr).toBe(0);
    // node1 synced past the restored height; every node agrees on the blocks.
    for (let i = 0; i < 60; i++) {
      const s = await runCli(["query", "status", "--node", node1.apiUrl, "--json"], { home });
      if (s.code === 0 && Number(s.json().height) >= tip) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    const hashes = await blockHashesAt(home, nodes, String(tip));
    expect(new Set(hashes).size).toBe(1);
  }, 180_000);

  it("refuses to restore a validator without its own signer state unless --force-old-signer-state", async () => {
    expect((await runCli(["devnet", "stop", "node1"], { home })).code).toBe(0);
    const state = join(node1.home, "data", "signer-state.json");
    const saved = join(files(), "signer-state.json");
    renameSync(state, saved); // the lost disk: the newest signer state is gone with it
    const refused = await runCli(
      ["node", "restore", "--home", node1.home, "--in", join(files(), "cold.fpbak"), "--force", "--json"],
      { home },
    );
    expect(refused.code).toBe(1);
    expect(refused.json().error.code).toBe("RESTORE_SIGNER_STATE_MISSING");
    expect(existsSync(state)).toBe(false);
    const forced = await runCli(
      [
        "node",
        "restore",
        "--home",
        node1.home,
        "--in",
        join(files(), "cold.fpbak"),
        "--force",
        "--force-old-signer-state",
        "--json",
      ],
      { home },
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.json()).toMatchObject({ signer: "backup" });
    // Put the real (newest) state back: the restore below must keep it over the backup's.
    renameSync(saved, state);
    const again = await runCli(
      ["node", "restore", "--home", node1.home, "--in", join(files(), "cold.fpbak"), "--force", "--json"],
      { home },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ signer: "home" });
  }, 120_000);

  it("a corrupted database gives one clear line and exit 1 at start, backup, and never a silent reset", async () => {
    const db = join(node1.home, "data", "db");
    expect(await corruptLevelTables(db)).toBeGreaterThan(0);
    const start = await runCli(["node", "start", "--home", node1.home], { home, timeout: 30_000 });
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/^Error: the database .* is corrupted/m);
    expect(start.stderr).toMatch(/^Hint: .*fastpos node restore/m);
    expect(start.stderr).not.toMatch(/\n\s+at /);
    const backup = await runCli(
      ["node", "backup", "--home", node1.home, "--out", join(files(), "bad.fpbak"), "--json"],
      { home },
    );
    expect(backup.code).toBe(1);
    expect(backup.json().error.code).toBe("STORE_CORRUPT");
    expect(existsSync(join(files(), "bad.fpbak"))).toBe(false);
    // A damaged backup file is refused before the home changes.
    const damaged = join(files(), "damaged.fpbak");
    writeFileSync(damaged, readFileSync(join(files(), "cold.fpbak")).subarray(0, 3000));
    const r = await runCli(["node", "restore", "--home", node1.home, "--in", damaged, "--force", "--json"], {
      home,
    });
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe("BACKUP_CORRUPT");
    // The good backup repairs it, and the node starts again.
    const ok = await runCli(
      ["node", "restore", "--home", node1.home, "--in", join(files(), "cold.fpbak"), "--force"],
      { home },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect((await runCli(["devnet", "start", "node1"], { home })).code).toBe(0);
  }, 120_000);
});
