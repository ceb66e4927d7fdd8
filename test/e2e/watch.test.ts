import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

const hasTmux = !spawnSync("tmux", ["-V"]).error;
if (!hasTmux && process.env.CI === "true") throw new Error("tmux is required in CI (.ci/run installs it)");
if (!hasTmux) console.warn("SKIPPED fastpos watch terminal test: tmux is not installed");

/** `fastpos watch` in a real terminal (tmux) against a live 4-validator devnet. */
describe.runIf(hasTmux)("fastpos watch (tmux, real devnet)", () => {
  let home: string;
  let cleanup: () => void;
  const session = `fastpos-watch-${process.pid}`;
  const screen = () => execFileSync("tmux", ["capture-pane", "-p", "-t", session]).toString();
  const heightOn = (text: string) => Number(/height (\d+)/.exec(text)?.[1] ?? -1);

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "4", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    spawnSync("tmux", ["kill-session", "-t", session]);
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("--once --json prints one snapshot with every validator", async () => {
    const r = await runCli(["watch", "--once", "--json"], { home });
    expect(r.code, r.stderr).toBe(0);
    const s = r.json();
    expect(s.chainId).toBe("fastpos-local");
    expect(s.validators).toHaveLength(4);
    expect(s.nodes.every((n: { online: boolean }) => n.online)).toBe(true);
    // The same JSON types as `query status`: heights are decimal strings (issue 19 item 10).
    expect(typeof s.height).toBe("string");
    expect(BigInt(s.height)).toBeGreaterThan(0n);
    expect(s.nodes.every((n: { height: unknown }) => typeof n.height === "string")).toBe(true);
    const st = (await runCli(["query", "status", "--json"], { home })).json();
    expect(typeof st.height).toBe(typeof s.height);
    expect(s.quorum).toMatchObject({ halted: false, offlinePct: 0 });
  });

  it("shows validators and a rising height, then a killed node as offline", async () => {
    execFileSync("tmux", [
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "130",
      "-y",
      "45",
      `env FASTPOS_HOME=${home} CI=false NO_COLOR=1 ${process.execPath} ${BIN} watch`,
    ]);
    let first = "";
    for (let i = 0; i < 50 && heightOn(first) <= 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      first = screen();
    }
    for (const n of ["node0", "node1", "node2", "node3"]) expect(first).toContain(n);
    expect(first).toContain("VALIDATOR");
    // Heights come about once a second on an idle dev devnet: wait for the screen to show a newer one.
    const rises = async (from: number) => {
      for (const end = Date.now() + 30_000; Date.now() < end; ) {
        if (heightOn(screen()) > from) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    };
    expect(await rises(heightOn(first))).toBe(true);
    expect((await runCli(["devnet", "kill", "node2"], { home })).code).toBe(0);
    let after = "";
    for (let i = 0; i < 30 && !/node2\s+1000000\s.*OFFLINE/.test(after); i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = screen();
    }
    expect(after).toMatch(/node2\s+1000000\s.*OFFLINE/);
    // 3 of 4 keep finalizing, and the screen keeps updating.
    expect(await rises(heightOn(after))).toBe(true);
    execFileSync("tmux", ["send-keys", "-t", session, "q"]);
  }, 120_000);
});
