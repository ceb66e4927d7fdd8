import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { alive, killAllDevnets } from "../helpers/devnet.js";

/**
 * Issue 19 item 11: `devnet down` on a devnet whose nodes are already gone (kill -9, a crash, a loaded CI
 * box) exits 0 — even when the OS has reused a recorded pid for an unrelated process, which `down` must
 * then leave alone (it used to SIGTERM that stranger's process group).
 */
describe("devnet down after the nodes died (real CLI)", () => {
  let home: string;
  let cleanup: () => void;
  let stranger: ReturnType<typeof spawn> | undefined;

  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(async () => {
    stranger?.kill("SIGKILL");
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("kill -9 every node, a recorded pid reused by another process → down exits 0, stranger untouched", async () => {
    const up = await runCli(["devnet", "up", "-n", "2", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
    const pids: number[] = up.json().nodes.map((n: { pid: number }) => n.pid);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    for (let i = 0; i < 600 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);

    // The OS hands node0's pid to someone else: simulate by recording an unrelated live process's pid.
    stranger = spawn("sleep", ["120"], { detached: true, stdio: "ignore" });
    const file = join(home, "devnets", "local", "devnet.json");
    const d = JSON.parse(readFileSync(file, "utf8"));
    d.nodes[0].pid = stranger.pid;
    writeFileSync(file, JSON.stringify(d, null, 2));

    const down = await runCli(["devnet", "down", "--json"], { home });
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.json()).toMatchObject({ name: "local", stopped: [], removed: true });
    expect(alive(stranger.pid as number)).toBe(true);
  }, 120_000);
});
