import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import {
  chainView,
  genesisSupply,
  keystoreAddresses,
  supplySnapshot,
} from "../../src/devnet/scenario/collect.js";
import { createEventCollector } from "../../src/devnet/scenario/events.js";
import {
  checkBlockHashes,
  checkSupply,
  checkTxInclusion,
  checkVotes,
} from "../../src/devnet/scenario/invariants.js";
import { devnetDir, readDevnet } from "../../src/devnet/state.js";
import { loadKeypair } from "../../src/keystore/keys-service.js";
import { createKeystore } from "../../src/keystore/keystore.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets, nodeFaults } from "../helpers/devnet.js";

/**
 * Chaos without privileges, as a user runs it: `devnet partition|heal|latency|faults` on a real 4-node
 * devnet (processes), faults that survive a restart only with --persist, bad input as one-line errors; the
 * invariant checkers on data read from that real devnet, with one thing broken at a time; and a scenario
 * run against the existing devnet whose byzantine step makes a real node double-sign (and the votes invariant
 * leaves that node out, the supply invariant counts what slashing burned).
 */
const height = async (url: string) =>
  createClient({ url, timeoutMs: 2000 })
    .status()
    .then(
      (s) => Number(s.height),
      () => -1,
    );

async function until(cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Multi-step tests on real processes: each waits on conditions; 2 min bounds a loaded machine.
describe("fastpos devnet partition | heal | latency | faults (real processes)", { timeout: 120_000 }, () => {
  let home: string;
  let cleanup: () => void;
  let nodes: { name: string; apiUrl: string; home: string }[];
  const cli = (args: string[]) => runCli([...args, "--devnet", "chaos"], { home, timeout: 90_000 });
  const faults = async () =>
    Object.fromEntries(
      (
        (await cli(["devnet", "faults", "--json"])).json().nodes as {
          node: string;
          faults: { peer: string }[];
        }[]
      ).map((n) => [n.node, n.faults]),
    );

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir("fastpos-chaos-"));
    const r = await runCli(["devnet", "up", "-n", "4", "--devnet", "chaos", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    nodes = r.json().nodes;
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("partition cuts a node off both ways (it stops finalizing, the rest go on); heal restores it", async () => {
    const p = await cli(["devnet", "partition", "node0", "--json"]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().groups).toEqual([["node0"], ["node1", "node2", "node3"]]);
    const f = await faults();
    expect(f.node0?.map((x) => x.peer)).toEqual(["node1", "node2", "node3"]);
    expect(f.node2).toEqual([{ peer: "node0", drop: true, delayMs: 0 }]);
    await new Promise((r) => setTimeout(r, 1000)); // a block decided before the cut may still land
    const [cut, rest] = [await height(nodes[0]?.apiUrl as string), await height(nodes[1]?.apiUrl as string)];
    await until(async () => (await height(nodes[1]?.apiUrl as string)) >= rest + 3);
    expect(await height(nodes[0]?.apiUrl as string)).toBe(cut);
    const h = await cli(["devnet", "heal", "--json"]);
    expect(h.code, h.stderr).toBe(0);
    expect(Object.values(await faults()).flat()).toEqual([]);
    await until(async () => (await height(nodes[0]?.apiUrl as string)) >= rest + 3);
  });

  it("latency all gives each link the delay once (half per side); --ms 0 removes it from a node", async () => {
    const l = await cli([
      "devnet",
      "latency",
      "all",
      "--ms",
      "100",
      "--jitter",
      "20",
      "--loss",
      "0.01",
      "--json",
    ]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.json().perNode).toMatchObject({ delayMs: 50, jitterMs: 10 });
    expect(l.json().perNode.loss).toBeCloseTo(1 - Math.sqrt(0.99), 10);
    expect((await faults()).node3).toEqual([
      { peer: "*", drop: false, delayMs: 50, jitterMs: 10, loss: expect.any(Number) },
    ]);
    const h0 = await height(nodes[0]?.apiUrl as string);
    await until(async () => (await height(nodes[0]?.apiUrl as string)) >= h0 + 3); // still live
    expect((await cli(["devnet", "latency", "node1", "--ms", "0"])).code).toBe(0);
    expect((await faults()).node1).toEqual([]);
    expect((await cli(["devnet", "heal"])).code).toBe(0);
  });

  it("a fault survives a restart only with --persist; heal clears the persisted ones too", async () => {
    expect((await cli(["devnet", "partition", "node3", "--persist"])).code).toBe(0);
    expect((await cli(["devnet", "latency", "node2", "--ms", "40"])).code).toBe(0); // not persisted
    for (const n of ["node3", "node2"]) expect((await cli(["devnet", "restart", n])).code).toBe(0);
    const f = await faults();
    expect(f.node3?.map((x) => x.peer)).toEqual(["node0", "node1", "node2"]);
    expect(f.node3?.every((x) => (x as { persist?: boolean }).persist)).toBe(true);
    expect(f.node2).toEqual([{ peer: "node3", drop: true, delayMs: 0, persist: true }]); // the latency is gone
    expect(existsSync(join(nodes[3]?.home as string, "faults.json"))).toBe(true);
    expect((await cli(["devnet", "heal"])).code).toBe(0);
    expect((await faults()).node3).toEqual([]);
    expect(existsSync(join(nodes[3]?.home as string, "faults.json"))).toBe(false); // not back at the next start
    const best = await height(nodes[0]?.apiUrl as string);
    await until(async () => (await height(nodes[3]?.apiUrl as string)) >= best + 2);
  });

  it("rejects bad input with one line and exit 1", async () => {
    for (const [args, msg] of [
      [["devnet", "partition", "node0,node9"], /has no node "node9"/],
      [["devnet", "partition", "node0,node1,node2,node3"], /at least two groups/],
      [["devnet", "partition", "node0", "node0"], /node0 is in two groups/],
      [["devnet", "latency", "all", "--ms", "10", "--loss", "2"], /--loss must be a probability/],
      [["devnet", "latency", "node7", "--ms", "10"], /has no node "node7"/],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    // A scenario naming a node this devnet does not have: refused, and the process exits (it used to hang
    // on the event sockets it had opened before checking the plan).
    const bad = join(home, "bad-scenario.yaml");
    writeFileSync(bad, "name: bad\nsteps:\n  - kill: node9\n");
    // A hang is killed at 30 s and has no exit code 1.
    const r = await runCli(["devnet", "test", bad, "--devnet", "chaos"], { home, timeout: 30_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/line 3: steps\[0\] \(kill\): no node "node9"/);
    // The API itself: a bad fault body is a 4xx JSON error naming the field.
    const res = await nodeFaults(nodes[0] as { apiUrl: string; home: string }, "POST", {
      peer: "*",
      loss: 7,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "BAD_FAULT", message: expect.stringMatching(/^loss /) },
    });
  });

  it("the invariant checkers pass on this devnet's real data and fail when one thing in it is broken", async () => {
    // Given real txs, blocks, supply and votes from the running devnet…
    const d = readDevnet(home, "chaos");
    const events = createEventCollector(d.nodes);
    const alice = await loadKeypair(createKeystore(devnetDir(home, "chaos")), "alice");
    const api = createClient({ url: nodes[0]?.apiUrl as string });
    const finalized = new Map<string, { height: string; node: string }>();
    for (let i = 0; i < 3; i++) {
      const sent = await api.transfer({
        secretKey: alice.secretKey,
        to: d.accounts[1]?.address as string,
        amount: 5n,
      });
      finalized.set(sent.hash, { height: (await api.waitForTx(sent.hash)).height, node: "node0" });
    }
    await until(async () => events.data.votes.size > 20);
    events.close();
    const top = Math.max(...(await Promise.all(nodes.map((n) => height(n.apiUrl)))));
    await until(async () => (await Promise.all(nodes.map((n) => height(n.apiUrl)))).every((h) => h >= top));
    const views = await Promise.all(d.nodes.map((n) => chainView(n)));
    const g = genesisSupply(home, "chaos");
    const addresses = [...new Set([...g.addresses, ...(await keystoreAddresses(home, "chaos"))])];
    const supply = await Promise.all(d.nodes.map((n) => supplySnapshot(n, addresses)));
    // …every check passes as is…
    expect(checkBlockHashes(views, events.data.blocks).status).toBe("passed");
    expect(checkTxInclusion(views, finalized, finalized.keys()).status).toBe("passed");
    expect(checkSupply(g.supply, supply).status).toBe("passed");
    expect(checkVotes(events.data.votes, events.data.evidence).status).toBe("passed");
    // …and the matching one fails when a node skips a tx, forks one height, mints a token, double-votes.
    const [tx, at] = [...finalized][0] as [string, { height: string }];
    const skipping = views.map((v, i) =>
      i === 2
        ? {
            ...v,
            blocks: v.blocks.map((b) =>
              b.height === at.height ? { ...b, txs: b.txs.filter((t) => t !== tx) } : b,
            ),
          }
        : v,
    );
    const inclusion = checkTxInclusion(skipping, finalized, finalized.keys());
    expect(inclusion.status).toBe("failed");
    expect(inclusion.details).toEqual([expect.stringContaining(`missing on ${d.nodes[2]?.name}`)]);
    const forked = views.map((v, i) =>
      i === 1
        ? {
            ...v,
            blocks: v.blocks.map((b) => (b.height === "2" ? { ...b, hash: `0x${"e".repeat(64)}` } : b)),
          }
        : v,
    );
    expect(checkBlockHashes(forked, events.data.blocks)).toMatchObject({
      status: "failed",
      details: [expect.stringMatching(/^height 2: /)],
    });
    const minted = supply.map((s, i) =>
      i === 3 ? { ...s, total: s.total + 1n, balances: s.balances + 1n } : s,
    );
    expect(checkSupply(g.supply, minted).details).toEqual([expect.stringMatching(/\+1 against genesis/)]);
    const extra = supply.map((s, i) => (i === 0 ? { ...s, balances: s.total + 1n } : s));
    expect(checkSupply(g.supply, extra).details).toEqual([
      expect.stringMatching(/more than the node's reported total/),
    ]);
    const [key, seen] = [...events.data.votes].find(([, v]) => v[0]?.value !== "nil") as [
      string,
      { value: string }[],
    ];
    const doubled = new Map(events.data.votes).set(key, [
      ...(seen as never[]),
      { ...(seen[0] as object), value: "nil", node: "node3" } as never,
    ]);
    expect(checkVotes(doubled, []).status).toBe("failed");
  });

  it("runs a scenario against this devnet: the byzantine step restarts a node that double-signs, invariants hold", async () => {
    const file = join(home, "byz.yaml");
    writeFileSync(
      file,
      [
        "name: byz",
        "steps:",
        "  - wait: { blocks: 1 }",
        "  - byzantine: { node: node1 }",
        "  - heal",
        "",
      ].join("\n"),
    );
    const junit = join(home, "byz.xml");
    const r = await cli(["devnet", "test", file, "--junit", junit, "--json"]);
    const rep = r.json();
    expect(r.code, JSON.stringify(rep)).toBe(0);
    expect(rep.steps.map((s: { status: string }) => s.status)).toEqual(["passed", "passed", "passed"]);
    expect(rep.steps[1].message).toMatch(/node1: byzantine \(equivocates on prevote\)/);
    expect(rep.invariants.every((i: { status: string }) => i.status === "passed")).toBe(true);
    expect(readDevnet(home, "chaos").nodes.every((n) => n.pid !== null)).toBe(true); // not torn down: not ours
  });
});
