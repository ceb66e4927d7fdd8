import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDevnet, decodeAddress } from "../../src/index.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * Issue 19 item 10, the small things, on one one-validator devnet (real CLI): balances next to the
 * addresses after `up`, stop/start that say what happened in words (stable `result` in --json),
 * `start --all` after `down --keep-data`, `edit-validator` with nothing to change is a usage error, and
 * `--validator NAME` accepted for a name `query validators` shows.
 */
// Multi-step tests on real processes: each waits on conditions; 2 min bounds a loaded machine.
describe("devnet small things (real CLI)", { timeout: 120_000 }, () => {
  let home: string;
  let cleanup: () => void;
  let up: ReturnType<JSON["parse"]>;
  let upHuman = "";

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const r = await runCli(["devnet", "up", "-n", "1"], { home, timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    upHuman = r.stdout;
    up = (await runCli(["devnet", "status", "--json"], { home })).json();
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("`devnet up` prints each funded account's balance next to its address", () => {
    expect(upHuman).toMatch(/alice\s+fp1\S+\s+\d+ tokens/);
  });

  it("--validator takes a validator's name from `query validators`, also with --node", async () => {
    const url = up.nodes[0].apiUrl;
    const vals = (await runCli(["query", "validators", "--node", url, "--json"], { home })).json();
    const name = vals.validators[0].name;
    const r = await runCli(
      [
        "tx",
        "delegate",
        "--from",
        "alice",
        "--validator",
        name,
        "--amount",
        "5",
        "--node",
        url,
        "--wait",
        "--json",
      ],
      { home },
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json().status).toBe("committed");
  });

  it("SDK: connectDevnet() returns a client and the funded signers", async () => {
    const { client, signers, name } = await connectDevnet(undefined, { home });
    expect(name).toBe("local");
    expect(Object.keys(signers)).toEqual(expect.arrayContaining(["alice", "bob"]));
    const bob = signers.bob as { address: string };
    const sent = await client.send({
      secretKey: (signers.alice as { secretKey: Uint8Array }).secretKey,
      payload: { type: "transfer", value: { to: decodeAddress(bob.address), amount: 3n } },
    });
    expect((await client.waitForTx(sent.hash, { timeoutMs: 30_000 })).status).toBe("committed");
  });

  it("`devnet env` prints exports that later commands honour", async () => {
    const r = await runCli(["devnet", "env"], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export FASTPOS_DEVNET=local$/m);
    const url = r.stdout.match(/^export FASTPOS_NODE=(\S+)$/m)?.[1] as string;
    expect(url).toBe(up.nodes[0].apiUrl);
    // FASTPOS_NODE stands for --node: a dead URL there makes query status unreachable (exit 4).
    const dead = await runCli(["query", "status"], { home, env: { FASTPOS_NODE: "http://127.0.0.1:1" } });
    expect(dead.code).toBe(4);
    const ok = await runCli(["query", "status", "--json"], { home, env: { FASTPOS_NODE: url } });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("devnet logs --pretty prints human lines; --level filters by pino level", async () => {
    const p = await runCli(["devnet", "logs", "--pretty", "--lines", "20"], { home });
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines)
      expect(l).toMatch(/^node0 +\| \d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /);
    const w = await runCli(["devnet", "logs", "--level", "warn", "--lines", "200", "--json"], { home });
    expect(w.code, w.stderr).toBe(0);
    const recs = w.stdout.trim()
      ? w.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      : [];
    for (const r of recs) expect(r.level).toBeGreaterThanOrEqual(40);
    const all = await runCli(["devnet", "logs", "--lines", "200", "--json"], { home });
    expect(all.stdout.trim().split("\n").length).toBeGreaterThan(recs.length);
  });

  it("edit-validator with nothing to change is a usage error, nothing sent", async () => {
    const r = await runCli(["tx", "edit-validator", "--from", "alice"], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: nothing to change: give --moniker and\/or --commission\nHint: /);
  });

  it("repeated stop/start say what happened; --json keeps `result`", async () => {
    const s1 = await runCli(["devnet", "stop", "node0"], { home });
    expect(s1.stdout.trim()).toBe("node0 stopped");
    const s2 = await runCli(["devnet", "stop", "node0"], { home });
    expect(s2.stdout.trim()).toBe("node0 was not running: nothing to stop");
    const s3 = await runCli(["devnet", "stop", "node0", "--json"], { home });
    expect(s3.json().result).toBe("not-running");
    const st = await runCli(["devnet", "start", "node0"], { home, timeout: 90_000 });
    expect(st.stdout).toMatch(/^node0 started \(pid \d+\)/);
    const again = await runCli(["devnet", "start", "node0"], { home });
    expect(again.stdout).toMatch(/^node0 was already running \(pid \d+\): nothing to start/);
  }, 120_000);

  it("`devnet start --all` after `down --keep-data` starts every node", async () => {
    const down = await runCli(["devnet", "down", "--keep-data"], { home });
    expect(down.code, down.stderr).toBe(0);
    const r = await runCli(["devnet", "start", "--all", "--json"], { home, timeout: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json().results.map((x: { result: string }) => x.result)).toEqual(["started"]);
    const bad = await runCli(["devnet", "start"], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/give a node name or --all/);
  }, 120_000);
});
