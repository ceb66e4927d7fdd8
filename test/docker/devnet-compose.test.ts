import { statSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import { ensureImage } from "../../src/devnet/image.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { blockHashesAt, killAllDevnets } from "../helpers/devnet.js";
import { inCI, NO_ENGINE_MESSAGE, reachableEngine } from "../helpers/docker.js";

/**
 * `devnet export --format compose` on the real engine with Debian's docker-compose (issue 20 item 2):
 * a process devnet is exported and taken down, `docker-compose up -d` runs the same chain from the export
 * alone (homes made from secrets on named volumes), the CLI attaches through the devnet record, transfers
 * finalize, one container is killed and restarted by docker-compose and catches up, every node agrees on
 * the block hashes, and `devnet down` leaves no container or volume behind.
 */
const docker = await reachableEngine();
const compose = await execa("docker-compose", ["version"], { reject: false }).then((r) => r.exitCode === 0);
if ((!docker || !compose) && !inCI)
  console.warn(`\n⚠ ${docker ? "docker-compose is not installed" : NO_ENGINE_MESSAGE}\n`);

describe.runIf((!docker || !compose) && inCI)("docker-compose in CI", () => {
  it("is installed and the engine answers (.ci/run installs docker-compose and starts dockerd)", () => {
    expect.fail(docker ? "docker-compose is not installed" : NO_ENGINE_MESSAGE);
  });
});

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
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe.runIf(docker && compose)("devnet export --format compose + docker-compose (real engine)", () => {
  const engine = docker as Docker;
  const project = "fastpos-cmpt";
  let home: string;
  let out: string;
  let cleanup: () => void;
  let exp: any;
  let genesisHash: string;
  let nodes: { name: string; apiUrl: string }[];
  const dc = (args: string[], timeout = 240_000) =>
    execa("docker-compose", args, { cwd: out, reject: false, all: true, timeout });

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir("fastpos-compose-"));
    out = join(home, "export");
    await ensureImage(engine, {});
    const up = await runCli(["devnet", "up", "-n", "4", "--name", "cmpt", "--json"], {
      home,
      timeout: 120_000,
    });
    expect(up.code, up.stderr).toBe(0);
    genesisHash = up.json().genesisHash;
    const e = await runCli(["devnet", "export", "cmpt", "--format", "compose", "--out", out, "--json"], {
      home,
    });
    expect(e.code, e.stderr).toBe(0);
    exp = e.json();
    nodes = exp.endpoints;
    // The original stops: the export alone must be enough (and the same keys never sign on two networks).
    expect((await runCli(["devnet", "down", "--devnet", "cmpt"], { home, timeout: 60_000 })).code).toBe(0);
    const r = await dc(["up", "-d"]);
    expect(r.exitCode, r.all).toBe(0);
  }, 420_000);

  afterAll(async () => {
    if (out) await dc(["down", "-v", "--remove-orphans", "-t", "5"], 120_000).catch(() => {});
    if (home) await killAllDevnets(home);
    cleanup?.();
  }, 180_000);

  it("writes a compose project whose keys are private and attaches the CLI through a devnet record", async () => {
    expect(exp).toMatchObject({ name: "cmpt", format: "compose", record: "cmpt-compose" });
    expect(statSync(join(out, "secrets", "node0", "validator-key.json")).mode & 0o777).toBe(0o600);
    const w = await runCli(
      ["devnet", "wait", "--devnet", "cmpt-compose", "--height", "3", "--timeout", "120"],
      {
        home,
        timeout: 150_000,
      },
    );
    expect(w.code, w.stderr + w.stdout).toBe(0);
    const st = await runCli(["devnet", "status", "--devnet", "cmpt-compose", "--json"], { home });
    expect(st.code, st.stderr).toBe(0);
    const rows = st.json().nodes as { name: string; state: string; container: string }[];
    expect(rows.map((r) => [r.name, r.state])).toEqual([
      ["node0", "running"],
      ["node1", "running"],
      ["node2", "running"],
      ["node3", "running"],
    ]);
    // No host path is mounted into a node: only its named data volume and the secret files compose provides.
    for (const r of rows) {
      const info = await engine.getContainer(r.container).inspect();
      const mounts = info.Mounts as { Type: string; Destination: string; Name?: string }[];
      const data = mounts.filter((m) => m.Destination === "/var/lib/fastpos");
      expect(data).toEqual([expect.objectContaining({ Type: "volume", Name: `${project}_${r.name}-data` })]);
      for (const m of mounts.filter((x) => x.Type === "bind"))
        expect(m.Destination).toMatch(/^\/run\/secrets\//);
    }
  }, 180_000);

  it("runs the same chain: same genesis as the exported devnet", async () => {
    const s = await runCli(["query", "status", "--node", nodes[1]?.apiUrl as string, "--json"], { home });
    expect(s.code, s.stderr).toBe(0);
    expect(s.json().chainId).toBe("fastpos-cmpt");
    expect(JSON.stringify(s.json())).toContain(genesisHash.slice(2, 18));
  });

  it("finalizes transfers sent with --devnet RECORD and with --node URL", async () => {
    let last: any;
    for (const amount of ["11", "22"]) {
      const t = await runCli(
        [
          "tx",
          "transfer",
          "--devnet",
          "cmpt-compose",
          "--from",
          "alice",
          "--to",
          "bob",
          "--amount",
          amount,
          "--wait",
          "--json",
        ],
        { home, timeout: 90_000 },
      );
      expect(t.code, t.stderr).toBe(0);
      last = t.json();
      expect(last).toMatchObject({ status: "committed", amount });
    }
    const q = await runCli(["query", "tx", last.hash, "--node", nodes[3]?.apiUrl as string, "--json"], {
      home,
    });
    expect(q.code, q.stderr).toBe(0);
    expect(q.json()).toMatchObject({ height: last.height });
  }, 180_000);

  it("keeps finalizing with one container killed, and the restarted node catches up", async () => {
    const kill = await runCli(["devnet", "kill", "node2", "--devnet", "cmpt-compose", "--json"], { home });
    expect(kill.code, kill.stderr).toBe(0);
    expect((await engine.getContainer(`${project}-node2`).inspect()).State.Running).toBe(false);
    const h = await heightOf(nodes[0]?.apiUrl as string);
    const w = await runCli(
      ["devnet", "wait", "--devnet", "cmpt-compose", "--height", String(h + 5), "--timeout", "90"],
      { home, timeout: 120_000 },
    );
    expect(w.code, w.stderr).toBe(0);
    // docker-compose itself brings it back: the home on its volume is kept (no re-init of keys).
    const r = await dc(["start", "node2"], 120_000);
    expect(r.exitCode, r.all).toBe(0);
    const target = (await heightOf(nodes[0]?.apiUrl as string)) + 2;
    expect(await waitUntil(async () => (await heightOf(nodes[2]?.apiUrl as string)) >= target, 120_000)).toBe(
      true,
    );
    const logs = await engine
      .getContainer(`${project}-node2`)
      .logs({ stdout: true, stderr: true, tail: 400 });
    expect(String(logs)).toMatch(/node home \/var\/lib\/fastpos kept from \/run\/secrets/);
  }, 300_000);

  it("has every node agree on the block hashes", async () => {
    const h = Math.min(...(await Promise.all(nodes.map((n) => heightOf(n.apiUrl)))));
    expect(h).toBeGreaterThan(3);
    for (const height of [1, Math.floor(h / 2), h])
      expect(new Set(await blockHashesAt(home, nodes, String(height))).size, `height ${height}`).toBe(1);
  }, 120_000);

  it("down --keep-data keeps the chain on its volumes: start --all resumes above the old height", async () => {
    const before = Math.max(...(await Promise.all(nodes.map((n) => heightOf(n.apiUrl)))));
    const [block1] = await blockHashesAt(home, nodes.slice(0, 1), "1");
    const d = await runCli(["devnet", "down", "--devnet", "cmpt-compose", "--keep-data", "--json"], {
      home,
      timeout: 180_000,
    });
    expect(d.code, d.stderr).toBe(0);
    expect(
      await engine.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${project}`] },
      }),
    ).toEqual([]);
    const vols = (await engine.listVolumes()).Volumes ?? [];
    expect(vols.filter((v) => v.Name.startsWith(`${project}_`))).toHaveLength(4);
    const s = await runCli(["devnet", "start", "--all", "--devnet", "cmpt-compose", "--json"], {
      home,
      timeout: 240_000,
    });
    expect(s.code, s.stderr + s.stdout).toBe(0);
    const w = await runCli(
      ["devnet", "wait", "--devnet", "cmpt-compose", "--height", String(before + 2), "--timeout", "120"],
      { home, timeout: 150_000 },
    );
    expect(w.code, w.stderr).toBe(0);
    // Not a new chain: block 1 is the same block as before the restart.
    expect(new Set([block1, ...(await blockHashesAt(home, nodes, "1"))])).toEqual(new Set([block1]));
  }, 400_000);

  it("devnet down runs docker-compose down: no container or volume of the project is left", async () => {
    const d = await runCli(["devnet", "down", "--devnet", "cmpt-compose", "--json"], {
      home,
      timeout: 180_000,
    });
    expect(d.code, d.stderr).toBe(0);
    expect(d.json().stopped).toEqual(["node0", "node1", "node2", "node3"]);
    const left = await engine.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    expect(left).toEqual([]);
    const vols = (await engine.listVolumes()).Volumes ?? [];
    expect(vols.filter((v) => v.Name.startsWith(`${project}_`))).toEqual([]);
  }, 200_000);
});
