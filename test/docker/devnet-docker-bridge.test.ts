import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { inCI, NO_ENGINE_MESSAGE, reachableEngine, resourcesOf } from "../helpers/docker.js";

/**
 * Issue 19 item 4: the DEFAULT docker network mode (a per-devnet bridge), which the other docker tests do
 * not use (`--network host`). Every node used to create the network in parallel after checking it did not
 * exist; the engine accepts duplicate names, so `up` failed with "network … is ambiguous". Now: one
 * network, the chain makes progress, `down` removes it.
 */
const docker = await reachableEngine();
if (!docker && !inCI) console.warn(`\n⚠ ${NO_ENGINE_MESSAGE}\n`);

describe.runIf(docker)("fastpos devnet --provider docker, default bridge network (real engine)", () => {
  const engine = docker as Docker;
  let home: string;
  let cleanup: () => void;
  let dir: string;

  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir("fastpos-docker-bridge-"));
    dir = join(home, "devnets", "bridged");
  });
  afterAll(async () => {
    await runCli(["devnet", "down", "-d", "bridged"], { home, timeout: 60_000 }).catch(() => {});
    cleanup();
  }, 90_000);

  it("up with 3 nodes creates exactly one network and finalizes blocks; down removes it", async () => {
    const up = await runCli(["devnet", "up", "-n", "3", "-d", "bridged", "--provider", "docker", "--json"], {
      home,
      timeout: 240_000,
    });
    expect(up.code, up.stderr + up.stdout).toBe(0);
    expect(up.json().docker).toMatchObject({ network: "bridge" });
    expect((await resourcesOf(engine, dir)).networks).toHaveLength(1);
    const w = await runCli(["devnet", "wait", "-d", "bridged", "--json"], { home, timeout: 120_000 });
    expect(w.code, w.stderr).toBe(0);
    const down = await runCli(["devnet", "down", "-d", "bridged", "--json"], { home, timeout: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    expect((await resourcesOf(engine, dir)).networks).toEqual([]);
  }, 400_000);
});
