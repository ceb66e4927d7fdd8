import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { NO_ENGINE_MESSAGE, reachableEngine, resourcesOf } from "../helpers/docker.js";
import { readJunit } from "../helpers/junit.js";

/**
 * One shipped scenario on the docker provider against the real engine (host networking): crash-restart
 * (SIGKILL of a container, restart, catch-up) under load, with every invariant checked and the JUnit
 * report parsed; nothing of the devnet is left in the engine afterwards. Without an engine this is
 * skipped locally; in CI the engine check in devnet-docker.test.ts fails instead.
 */
const docker = await reachableEngine();
if (!docker) console.warn(`\n⚠ ${NO_ENGINE_MESSAGE}\n`);

describe.runIf(docker)("fastpos devnet test --provider docker (real engine)", () => {
  const engine = docker as Docker;
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir("fastpos-docker-scenario-"));
  });
  afterAll(async () => {
    await runCli(["devnet", "down", "--devnet", "test-crash-restart"], { home, timeout: 60_000 }).catch(
      () => {},
    );
    const left = await resourcesOf(engine, join(home, "devnets", "test-crash-restart"));
    for (const c of left.containers)
      await engine
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    cleanup();
  }, 90_000);

  it("crash-restart passes every step and invariant on containers, and leaves nothing behind", async () => {
    const junit = join(home, "docker.xml");
    const file = resolve(import.meta.dirname, "../../devnets/scenarios/crash-restart.yaml");
    const r = await runCli(
      ["devnet", "test", file, "--provider", "docker", "--network", "host", "--junit", junit, "--json"],
      { home, timeout: 400_000 },
    );
    const rep = JSON.parse(r.stdout);
    const failed = [...rep.steps, ...rep.invariants].filter((c: { status: string }) => c.status !== "passed");
    expect(failed, r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    expect(rep).toMatchObject({ passed: true, provider: "docker" });
    expect(readJunit(readFileSync(junit, "utf8")).cases.every((c) => c.status === "passed")).toBe(true);
    const left = await resourcesOf(engine, join(home, "devnets", "test-crash-restart"));
    expect(left.containers).toEqual([]);
  }, 420_000);
});
