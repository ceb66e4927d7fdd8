import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { alive, killAllDevnets } from "../helpers/devnet.js";

/**
 * Issue 19 item 2, as a user types it: one flag names a devnet — `--devnet NAME` / `-d NAME` on every
 * command that targets one, `--name` still accepted where it named the devnet before (`up`, `down`).
 * Two one-validator devnets side by side; the real CLI in child processes.
 */
describe("--devnet NAME / -d NAME (real CLI, two devnets)", () => {
  let home: string;
  let cleanup: () => void;
  const pids: Record<string, number[]> = {};

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    // Given two devnets, one named with --devnet, one with the --name alias
    const [a, b] = await Promise.all([
      runCli(["devnet", "up", "-n", "1", "--devnet", "alpha", "--seed", "a", "--json"], {
        home,
        timeout: 90_000,
      }),
      runCli(["devnet", "up", "-n", "1", "--name", "beta", "--seed", "b", "--json"], {
        home,
        timeout: 90_000,
      }),
    ]);
    // --json puts an error on stdout: show both streams if `up` failed.
    expect(a.code, a.stderr + a.stdout).toBe(0);
    expect(b.code, b.stderr + b.stdout).toBe(0);
    for (const r of [a.json(), b.json()]) pids[r.name] = r.nodes.map((n: { pid: number }) => n.pid);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("`devnet up` names the devnet with --devnet, and with --name as an alias", () => {
    expect(Object.keys(pids).sort()).toEqual(["alpha", "beta"]);
  });

  it("without the flag, the error says which flag picks one (exit 1)", async () => {
    const r = await runCli(["devnet", "status"], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Hint: pass --devnet NAME (or -d NAME) to choose one of: alpha, beta");
    const j = await runCli(["devnet", "status", "--json"], { home });
    expect(j.json().error).toMatchObject({
      code: "DEVNET_AMBIGUOUS",
      hint: expect.stringContaining("--devnet NAME"),
    });
  });

  it("`status -d X` and `status --devnet X` pick that devnet; so do query and wait", async () => {
    const s = await runCli(["devnet", "status", "-d", "alpha", "--json"], { home });
    expect(s.code, s.stderr).toBe(0);
    expect(s.json().name).toBe("alpha");
    const l = await runCli(["devnet", "status", "--devnet", "beta", "--json"], { home });
    expect(l.json().name).toBe("beta");
    const q = await runCli(["query", "status", "-d", "beta", "--json"], { home });
    expect(q.code, q.stderr).toBe(0);
    const w = await runCli(["devnet", "wait", "-d", "alpha", "--json"], { home, timeout: 90_000 });
    expect(w.code, w.stderr).toBe(0);
    expect(w.json().name).toBe("alpha");
  });

  it("on add-validator, --name names the new node and --devnet the devnet", async () => {
    const r = await runCli(["devnet", "add-validator", "--devnet", "gamma", "--name", "val5", "--json"], {
      home,
    });
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe("DEVNET_NOT_FOUND");
    expect(r.json().error.message).toContain("gamma");
  });

  it("documents --devnet in the help of the commands", async () => {
    for (const cmd of [
      ["devnet", "down"],
      ["devnet", "status"],
      ["devnet", "kill"],
      ["tx", "transfer"],
    ]) {
      const h = await runCli([...cmd, "--help"], { home });
      expect(h.stdout, cmd.join(" ")).toMatch(/-d, --devnet=NAME/);
    }
    expect((await runCli(["devnet", "down", "--help"], { home })).stdout).toContain("alias: --name");
  });

  it("`down --devnet X` stops X only; `down --name Y` (alias) still works", async () => {
    const a = await runCli(["devnet", "down", "--devnet", "alpha", "--json"], { home, timeout: 60_000 });
    expect(a.code, a.stderr).toBe(0);
    expect(a.json().name).toBe("alpha");
    expect(existsSync(join(home, "devnets", "alpha"))).toBe(false);
    for (const pid of pids.alpha ?? []) expect(alive(pid)).toBe(false);
    for (const pid of pids.beta ?? []) expect(alive(pid)).toBe(true);
    const b = await runCli(["devnet", "down", "--name", "beta", "--json"], { home, timeout: 60_000 });
    expect(b.code, b.stderr).toBe(0);
    expect(b.json().name).toBe("beta");
    for (const pid of pids.beta ?? []) expect(alive(pid)).toBe(false);
  });
});
