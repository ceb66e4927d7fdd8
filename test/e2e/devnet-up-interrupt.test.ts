import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, tempDir } from "../helpers/cli.js";
import { alive, killAllDevnets } from "../helpers/devnet.js";

/** Ctrl-C during `devnet up` (issue 19 item 10): the nodes it started are stopped and the devnet removed. */
describe("devnet up interrupted", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("SIGINT after the first node started: every recorded node stopped, exit 130, nothing left", async () => {
    const file = join(home, "devnets", "intr", "devnet.json");
    // The signal comes while up is still starting nodes or waiting for the first block.
    const child = execa(process.execPath, [BIN, "devnet", "up", "-n", "3", "-d", "intr"], {
      reject: false,
      env: { FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true", NO_COLOR: "1" },
    });
    let pids: number[] = [];
    for (const deadline = Date.now() + 60_000; pids.length === 0; ) {
      if (Date.now() > deadline) throw new Error("devnet up never recorded a pid");
      if (existsSync(file)) {
        try {
          pids = (JSON.parse(readFileSync(file, "utf8")).nodes as { pid: number | null }[])
            .map((n) => n.pid)
            .filter((p): p is number => typeof p === "number");
        } catch {}
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(String(r.stderr)).toMatch(/Interrupted: stopping/);
    for (const pid of pids) expect(alive(pid), `node pid ${pid} still running`).toBe(false);
    expect(existsSync(join(home, "devnets", "intr"))).toBe(false);
  }, 120_000);
});
