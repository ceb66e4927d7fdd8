import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { blockHashesAt } from "../helpers/devnet.js";
import { inCI, NO_ENGINE_MESSAGE, reachableEngine, resourcesOf } from "../helpers/docker.js";

/**
 * The devnet scenario on the docker provider, against the real engine (host networking: all traffic on
 * 127.0.0.1): up → transfers → kill a node → finality continues → restart → catch up → pause/resume →
 * logs from the engine → down leaves no container, network or volume behind.
 */
const docker = await reachableEngine();
if (!docker && !inCI) console.warn(`\n⚠ ${NO_ENGINE_MESSAGE}\n`);

describe.runIf(!docker && inCI)("docker engine in CI", () => {
  it("answers (.ci/run starts dockerd; a missing engine in CI is a failure, not a skip)", () => {
    expect.fail(NO_ENGINE_MESSAGE);
  });
});

/** A node's height, or -1 while it does not answer. */
const heightOf = (url: string) =>
  createClient({ url, timeoutMs: 1000 })
    .status()
    .then(
      (s) => Number(s.height),
      () => -1,
    );

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

// Multi-step tests on real processes: each waits on conditions; 2 min bounds a loaded machine.
describe.runIf(docker)(
  "fastpos devnet --provider docker (real engine, host network)",
  { timeout: 120_000 },
  () => {
    const engine = docker as Docker;
    let home: string;
    let cleanup: () => void;
    let dir: string;
    let up: any;
    let volumesBefore: number;

    beforeAll(async () => {
      ({ dir: home, cleanup } = tempDir("fastpos-docker-"));
      dir = join(home, "devnets", "dock");
      volumesBefore = ((await engine.listVolumes()).Volumes ?? []).length;
      const r = await runCli(
        // --block-time 0: the log-streaming test counts blocks committed within a few seconds.
        [
          "devnet",
          "up",
          "-n",
          "4",
          "--name",
          "dock",
          "--provider",
          "docker",
          "--network",
          "host",
          "--block-time",
          "0",
          "--json",
        ],
        { home, timeout: 240_000 },
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      up = r.json();
    }, 300_000);

    afterAll(async () => {
      await runCli(["devnet", "down", "--name", "dock"], { home, timeout: 60_000 }).catch(() => {});
      // Safety net after a failed test: nothing of this devnet may outlive the suite.
      const left = await resourcesOf(engine, dir);
      for (const c of left.containers)
        await engine
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {});
      cleanup();
    }, 90_000);

    it("runs one labelled container per validator with the node home bind-mounted", async () => {
      expect(up).toMatchObject({ name: "dock", provider: "docker" });
      expect(up.docker).toMatchObject({ network: "host" });
      expect(up.nodes).toHaveLength(4);
      const { containers } = await resourcesOf(engine, dir);
      expect(containers.map((c) => c.Labels["org.fastpos.node"]).sort()).toEqual([
        "node0",
        "node1",
        "node2",
        "node3",
      ]);
      for (const c of containers) {
        expect(c.State).toBe("running");
        expect(c.Labels["org.fastpos.devnet"]).toBe("dock");
        expect(c.Image).toBe(up.docker.image);
        const info = await engine.getContainer(c.Id).inspect();
        expect(info.HostConfig.NetworkMode).toBe("host");
        const node = up.nodes.find((n: { container: string }) => n.container === info.Name.slice(1));
        expect(info.HostConfig.Binds).toEqual([`${node.home}:${node.home}`]);
      }
      // The same devnet.json shape as the process provider, plus the container names.
      const file = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8"));
      expect(file.provider).toBe("docker");
      for (const n of file.nodes) expect(n.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it("finalizes transfers (--wait) and every node agrees on the block", async () => {
      const t = await runCli(
        ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "4321", "--wait", "--json"],
        { home },
      );
      expect(t.code, t.stderr).toBe(0);
      expect(t.json()).toMatchObject({ status: "committed", amount: "4321" });
      expect(new Set(await blockHashesAt(home, up.nodes, t.json().height)).size).toBe(1);
    });

    it("keeps finalizing with a container killed, and the node catches up after a restart", async () => {
      const kill = await runCli(["devnet", "kill", "node2", "--devnet", "dock", "--json"], { home });
      expect(kill.json()).toMatchObject({ node: "node2", result: "killed" });
      const status = (await runCli(["devnet", "status", "--json"], { home })).json();
      expect(status.nodes.find((n: { name: string }) => n.name === "node2")).toMatchObject({
        state: "stopped",
        pid: null,
      });
      const h = await heightOf(up.nodes[0].apiUrl);
      const w = await runCli(["devnet", "wait", "--height", String(h + 5), "--timeout", "60"], { home });
      expect(w.code, w.stderr).toBe(0);
      const t = await runCli(
        ["tx", "transfer", "--from", "bob", "--to", "carol", "--amount", "7", "--wait", "--json"],
        { home },
      );
      expect(t.json().status).toBe("committed");
      const start = await runCli(["devnet", "start", "node2", "--json"], { home });
      expect(start.code, start.stderr).toBe(0);
      const target = Number(t.json().height) + 3;
      expect(await waitUntil(async () => (await heightOf(up.nodes[2].apiUrl)) >= target, 60_000)).toBe(true);
    });

    it("pauses a container (docker pause) and resumes it; restart keeps its data", async () => {
      expect((await runCli(["devnet", "pause", "node1"], { home })).code).toBe(0);
      const paused = (await runCli(["devnet", "status", "--json"], { home })).json();
      expect(paused.nodes.find((n: { name: string }) => n.name === "node1").state).toBe("paused");
      const c = (await resourcesOf(engine, dir)).containers.find(
        (x) => x.Labels["org.fastpos.node"] === "node1",
      );
      expect(c?.State).toBe("paused");
      expect((await runCli(["devnet", "resume", "node1"], { home })).code).toBe(0);
      const before = await heightOf(up.nodes[1].apiUrl);
      const r = await runCli(["devnet", "restart", "node1", "--json"], { home, timeout: 60_000 });
      expect(r.json()).toMatchObject({ result: "restarted" });
      // Restart without loss: it comes back at (at least) the height it had, then follows the chain.
      expect(await waitUntil(async () => (await heightOf(up.nodes[1].apiUrl)) > before, 60_000)).toBe(true);
    });

    it("streams logs from the engine (NDJSON with --json)", async () => {
      const r = await runCli(["devnet", "logs", "node0", "--lines", "5", "--json"], { home });
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(5);
      for (const l of lines) expect(l).toMatchObject({ node: "node0" });
      expect(lines.some((l) => l.msg === "committed block")).toBe(true);
      // -f keeps streaming from the engine: new blocks, none repeated from the initial lines.
      const f = await runCli(["devnet", "logs", "node0", "-f", "--lines", "2", "--json"], {
        home,
        timeout: 4_000,
      });
      const heights = f.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === "committed block")
        .map((l) => Number(l.height));
      expect(heights.length).toBeGreaterThan(4);
      expect(new Set(heights).size).toBe(heights.length);
    });

    it("down removes every container, network and volume of the devnet, and its state", async () => {
      const d = await runCli(["devnet", "down", "--name", "dock", "--json"], { home, timeout: 60_000 });
      expect(d.code, d.stderr).toBe(0);
      expect(d.json()).toMatchObject({ removed: true, stopped: ["node0", "node1", "node2", "node3"] });
      const left = await resourcesOf(engine, dir);
      expect(left.containers).toEqual([]);
      expect(left.networks).toEqual([]);
      expect(((await engine.listVolumes()).Volumes ?? []).length).toBe(volumesBefore);
      expect(existsSync(dir)).toBe(false);
    });
  },
);

describe.runIf(docker)("fastpos devnet image build (offline, real engine)", () => {
  const engine = docker as Docker;
  const tag = `fastpos-node:test-${process.pid}`;

  afterAll(async () => {
    await engine
      .getImage(tag)
      .remove({ force: true })
      .catch(() => {});
  });

  it("imports a runnable image: the CLI runs in it as an unprivileged user", async () => {
    const r = await runCli(["devnet", "image", "build", "--tag", tag, "--json"], { timeout: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ tag });
    expect(out.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const img = await engine.getImage(tag).inspect();
    expect(img.Config.Labels?.["org.fastpos.content"]).toBe(out.contentHash);
    expect(img.Config.Entrypoint).toEqual(["/usr/local/bin/node", "/app/bin/run.js"]);
    const c = await engine.createContainer({
      Image: tag,
      Cmd: ["keys", "new", "--json"],
      User: "4321:4321",
      Env: ["FASTPOS_HOME=/tmp/h"],
      HostConfig: { NetworkMode: "none" },
    });
    try {
      await c.start();
      const exit = await c.wait();
      const logs = String(await c.logs({ stdout: true, stderr: true }));
      expect(exit.StatusCode, logs).toBe(0);
      expect(logs).toMatch(/"address": "fp1[0-9a-z]+"/);
    } finally {
      await c.remove({ force: true });
    }
  }, 200_000);
});

describe("docker provider errors (no engine needed)", () => {
  it("no engine reachable: one line saying how to start one, exit 4, nothing created", async () => {
    const { dir: home, cleanup } = tempDir();
    try {
      const env = { DOCKER_HOST: "unix:///nonexistent/docker.sock" };
      const r = await runCli(["devnet", "up", "--provider", "docker", "--json"], { home, env });
      expect(r.code).toBe(4);
      expect(r.json().error.code).toBe("ENGINE_UNREACHABLE");
      expect(r.json().error.message).toContain("unix:///nonexistent/docker.sock");
      const human = await runCli(["devnet", "image", "build"], { home, env });
      expect(human.code).toBe(4);
      expect(human.stderr.trim().split("\n")[0]).toMatch(/no Docker engine answers at .*start one/);
      expect(existsSync(join(home, "devnets", "local"))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it("docker-only flags on the process provider are a user error", async () => {
    const { dir: home, cleanup } = tempDir();
    try {
      const r = await runCli(["devnet", "up", "--network", "host", "--json"], { home });
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe("DEVNET_BAD_OPTION");
    } finally {
      cleanup();
    }
  });
});
