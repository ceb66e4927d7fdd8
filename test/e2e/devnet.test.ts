import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { runCli, tempDir } from "../helpers/cli.js";
import { alive, blockHashesAt, killAllDevnets } from "../helpers/devnet.js";

/**
 * The product's main job, as a user runs it: `devnet up -n 5` → transfers with --wait → balances →
 * kill a validator → finality continues → restart it → it catches up → `devnet down` leaves nothing.
 */
// Multi-step tests on real processes: each waits on conditions; 2 min bounds a loaded machine.
describe("fastpos devnet (real CLI, real processes)", { timeout: 120_000 }, () => {
  let home: string;
  let cleanup: () => void;
  let up: any;
  const evidence: unknown[] = [];
  let events: WebSocket | undefined;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "5", "--json"], { home, timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
    events = new WebSocket(`${up.nodes[0].apiUrl.replace("http", "ws")}/v1/events`);
    events.on("message", (m) => {
      const e = JSON.parse(String(m));
      if (e.type === "evidence") evidence.push(e);
    });
  }, 120_000);

  afterAll(async () => {
    events?.terminate();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("reports endpoints, validators and funded accounts in a documented JSON shape", () => {
    expect(up).toMatchObject({ name: "local", chainId: "fastpos-local" });
    expect(up.genesisHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(up.nodes).toHaveLength(5);
    for (const n of up.nodes) {
      expect(n.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(alive(n.pid)).toBe(true);
    }
    // Every devnet also funds a product-user (issue 18: the product layer's billing account).
    expect(up.accounts.map((a: { name: string }) => a.name)).toEqual([
      "alice",
      "bob",
      "carol",
      "product-user",
    ]);
  });

  it("finalizes transfers (--wait) and shows the balances via query", async () => {
    const bobBefore = (await runCli(["query", "account", "bob", "--json"], { home })).json();
    const t = await runCli(
      [
        "tx",
        "transfer",
        "--from",
        "alice",
        "--to",
        "bob",
        "--amount",
        "1234",
        "--fee",
        "2",
        "--wait",
        "--json",
      ],
      { home },
    );
    expect(t.code, t.stderr).toBe(0);
    expect(t.json()).toMatchObject({ status: "committed", amount: "1234" });
    expect(Number(t.json().height)).toBeGreaterThan(0);
    const bob = (await runCli(["query", "account", "bob", "--json"], { home })).json();
    expect(BigInt(bob.balance) - BigInt(bobBefore.balance)).toBe(1234n);
    const tx = (await runCli(["query", "tx", t.json().hash, "--json"], { home })).json();
    expect(tx).toMatchObject({ status: "committed", height: t.json().height });
    // Every node has the same block at that height.
    expect(new Set(await blockHashesAt(home, up.nodes, t.json().height)).size).toBe(1);
  });

  it("keeps finalizing with one validator killed, and the node catches up after a restart", async () => {
    const kill = await runCli(["devnet", "kill", "node2", "--json"], { home });
    expect(kill.json()).toMatchObject({ node: "node2", result: "killed" });
    const status = (await runCli(["devnet", "status", "--json"], { home })).json();
    const h = Math.max(
      ...status.nodes
        .filter((n: { height: string | null }) => n.height)
        .map((n: { height: string }) => Number(n.height)),
    );
    const w = await runCli(["devnet", "wait", "--height", String(h + 5), "--timeout", "60"], { home });
    expect(w.code, w.stderr).toBe(0);
    const t = await runCli(
      ["tx", "transfer", "--from", "bob", "--to", "carol", "--amount", "7", "--wait", "--json"],
      { home },
    );
    expect(t.json().status).toBe("committed");
    expect((await runCli(["devnet", "start", "node2", "--json"], { home })).code).toBe(0);
    const target = Number(t.json().height) + 3;
    let caughtUp = false;
    for (const end = Date.now() + 60_000; Date.now() < end && !caughtUp; ) {
      const s = (
        await runCli(["query", "status", "--node", up.nodes[2].apiUrl, "--json"], { home })
      ).json?.();
      caughtUp = s !== undefined && Number(s.height) >= target;
      if (!caughtUp) await new Promise((r) => setTimeout(r, 200));
    }
    expect(caughtUp).toBe(true);
  });

  it("survives repeated kill -9 of a validator under load without any conflicting vote (no evidence)", async () => {
    for (let round = 0; round < 3; round++) {
      const sends = Array.from({ length: 3 }, (_, i) =>
        runCli(
          [
            "tx",
            "transfer",
            "--from",
            "carol",
            "--to",
            "alice",
            "--amount",
            String(1 + i),
            "--node",
            up.nodes[round % 2].apiUrl,
            "--json",
          ],
          { home },
        ),
      );
      await new Promise((r) => setTimeout(r, 150 + round * 170));
      await runCli(["devnet", "kill", "node3"], { home });
      await Promise.all(sends);
      await runCli(["devnet", "start", "node3"], { home });
      await new Promise((r) => setTimeout(r, 400));
    }
    const w = await runCli(["devnet", "wait", "--timeout", "30"], { home });
    expect(w.code).toBe(0);
    expect(evidence).toEqual([]);
  }, 120_000);

  it("maps errors to documented exit codes", async () => {
    const broke = await runCli(
      ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "99999999999999999", "--json"],
      { home },
    );
    expect(broke.code).toBe(1);
    expect(broke.json().error.code).toBe("TX_INSUFFICIENT_FUNDS");
    expect(
      (await runCli(["tx", "transfer", "--from", "nobody", "--to", "bob", "--amount", "1"], { home })).code,
    ).toBe(1);
    expect((await runCli(["query", "status", "--node", "http://127.0.0.1:9", "--json"], { home })).code).toBe(
      4,
    );
    expect((await runCli(["devnet", "wait", "--height", "999999", "--timeout", "1"], { home })).code).toBe(3);
    expect((await runCli(["devnet", "stop", "node99"], { home })).code).toBe(1);
    // A node that dies at start is reported with what it printed, not as started: here its signer lock is
    // held by another live process (this test runner), so it must refuse to sign.
    expect((await runCli(["devnet", "stop", "node4"], { home })).code).toBe(0);
    const lock = join(up.nodes[4].home, "data", "signer.lock");
    const stat = readFileSync("/proc/self/stat", "utf8");
    writeFileSync(lock, `${process.pid} ${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`);
    const refused = await runCli(["devnet", "start", "node4", "--json"], { home });
    expect(refused.code).toBe(1);
    expect(refused.json().error.code).toBe("DEVNET_START_FAILED");
    expect(refused.json().error.message).toMatch(/in use by process/);
    // Without --json the CLI prints one line: the node's own reason must be on it, and the hint says where
    // the rest of the node's output is.
    const human = await runCli(["devnet", "start", "node4"], { home });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^Error: node node4 exited during start-up: .*in use by process/m);
    expect(human.stderr).toMatch(/^Hint: .*stdout\.log/m);
    rmSync(lock);
    const started = await runCli(["devnet", "start", "node4", "--json"], { home });
    expect(started.code, started.stderr).toBe(0);
    expect(started.json()).toMatchObject({ node: "node4", result: "started" });
    const again = await runCli(["devnet", "up", "--json"], { home });
    expect(again.code).toBe(1);
    expect(again.json().error.code).toBe("DEVNET_EXISTS");
  });

  it("down stops every process and removes the devnet", async () => {
    const pids = (await runCli(["devnet", "status", "--json"], { home }))
      .json()
      .nodes.map((n: { pid: number }) => n.pid);
    const d = await runCli(["devnet", "down", "--json"], { home, timeout: 60_000 });
    expect(d.code).toBe(0);
    expect(d.json().removed).toBe(true);
    for (const pid of pids) if (pid) expect(alive(pid)).toBe(false);
    expect((await runCli(["devnet", "list", "--json"], { home })).json().devnets).toEqual([]);
  });
});

describe("devnet sizes", () => {
  for (const n of [1, 3, 7]) {
    it(`-n ${n} reaches finality and shuts down cleanly`, async () => {
      const { dir: home, cleanup } = tempDir();
      try {
        const r = await runCli(["devnet", "up", "-n", String(n), "--name", `size${n}`, "--json"], {
          home,
          timeout: 90_000,
        });
        expect(r.code, r.stderr).toBe(0);
        const w = await runCli(["devnet", "wait", "--height", "3", "--timeout", "30"], { home });
        expect(w.code, w.stderr).toBe(0);
        expect((await runCli(["devnet", "down"], { home, timeout: 60_000 })).code).toBe(0);
      } finally {
        await killAllDevnets(home);
        cleanup();
      }
    }, 120_000);
  }
});
