import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const hash = (byte: string) => `0x${byte.repeat(32)}`;

/**
 * The product layer on a real 4-node devnet (issue 18), as a user drives it: the docs' SDK example (work
 * report → 2-of-3 attestation → workWeight after the boundary; escrow → invoice → settle), then through the
 * CLI a fraudulent report challenged and resolved (reporter slashed), rewards withdrawn, an escrow settled,
 * and every node agreeing on the state root (which commits to every balance) and on the supply formula.
 */
describe("product layer (real devnet)", () => {
  let home: string;
  let cleanup: () => void;
  let nodes: { name: string; apiUrl: string }[];
  const q = async (args: string[]) => {
    const r = await runCli([...args, "--json"], { home, timeout: 60_000 });
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    return r.json();
  };
  const validatorOf = async (name: string) =>
    (await q(["query", "validators"])).validators.find((v: any) => v.name === name);
  async function waitUntil(what: string, f: () => Promise<boolean>, ms = 90_000) {
    const end = Date.now() + ms;
    while (!(await f())) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const manifest = join(home, "product.yaml");
    // Dev epochs last ~1 s: a 20-epoch challenge window leaves CLI round trips time under load.
    writeFileSync(
      manifest,
      // blockTime 0: rewards vest over 20 epochs of 10 blocks; an idle devnet would take a second a block.
      "name: product\nvalidators: 4\nrewardPerEpoch: 1000000\nchallengeWindowEpochs: 20\nblockTime: 0\n",
    );
    const up = await runCli(["devnet", "up", "-f", manifest, "--json"], { home, timeout: 120_000 });
    expect(up.code, up.stderr).toBe(0);
    nodes = JSON.parse(readFileSync(join(home, "devnets", "product", "devnet.json"), "utf8")).nodes;
  }, 180_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("the docs' SDK example reports work, attests it, moves workWeight and settles a bill", async () => {
    const { stdout } = await run("npx", ["tsx", "docs/examples/product-settlement.ts"], {
      cwd: ROOT,
      env: { ...process.env, FASTPOS_HOME: home, FASTPOS_DEVNET: "product" },
      timeout: 150_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    // Score 1.5 bounded to +0.2 per epoch (maxWorkWeightChangeBps 2000).
    expect(out.workWeight).toBe("12000");
    expect(out.paidToOperator).toBe("39600"); // 40000 minus the 1% protocol fee
    expect(out.escrowBalance).toBe("60000");
  }, 180_000);

  it("a fraudulent report is challenged, the committee finds fraud and the reporter is slashed", async () => {
    const before = await validatorOf("node2");
    // No --epoch: the CLI reads the current one right before signing (dev epochs last ~1 s).
    const posted = await q([
      "tx",
      "work-report",
      "--from",
      "node2",
      "--work-units",
      "999999",
      "--proof-hash",
      hash("ab"),
      "--wait",
    ]);
    const epoch: string = posted.epoch;
    const user0 = BigInt((await q(["query", "account", "product-user"])).balance);
    await q([
      "tx",
      "challenge",
      "--from",
      "product-user",
      "--validator",
      "node2",
      "--epoch",
      epoch,
      "--evidence-hash",
      hash("cd"),
      "--wait",
    ]);
    const open = await q(["query", "work-report", "--validator", "node2", "--epoch", epoch]);
    expect(open.challenge).toMatchObject({ bond: "1000", evidenceHash: hash("cd") });
    await q([
      "tx",
      "resolve-challenge",
      "--from",
      "product-user",
      "--oracle-key",
      "oracle-0",
      "--oracle-key",
      "oracle-2",
      "--validator",
      "node2",
      "--epoch",
      epoch,
      "--verdict",
      "fraud",
      "--wait",
    ]);
    const after = await validatorOf("node2");
    const slashed = (BigInt(before.stake) * 1000n) / 10_000n;
    expect(BigInt(after.stake)).toBe(BigInt(before.stake) - slashed);
    const report = await q(["query", "work-report", "--validator", "node2", "--epoch", epoch]);
    expect(report).toMatchObject({ status: "fraud", challenge: null, vesting: "0" });
    // Bond back plus 10% of the slash.
    expect(BigInt((await q(["query", "account", "product-user"])).balance)).toBe(user0 + slashed / 10n);
  }, 180_000);

  it("rewards vest, are withdrawn, and an escrow is settled through the CLI", async () => {
    await waitUntil(
      "node0 rewards",
      async () => BigInt((await q(["query", "rewards", "node0"])).total) > 0n,
      150_000,
    );
    const bal0 = BigInt((await q(["query", "account", "node0"])).balance);
    const w = await q(["tx", "withdraw-rewards", "--from", "node0", "--wait"]);
    expect(w.status).toBe("committed");
    expect(BigInt((await q(["query", "account", "node0"])).balance)).toBeGreaterThan(bal0);
    const opened = await q(["billing", "open", "--from", "product-user", "--deposit", "5000", "--wait"]);
    expect(opened.escrow).toMatch(/^0x[0-9a-f]{64}$/);
    await q([
      "billing",
      "invoice",
      "--from",
      "node3",
      "--escrow",
      opened.escrow,
      "--amount",
      "1000",
      "--usage-hash",
      hash("ef"),
      "--wait",
    ]);
    const bal3 = BigInt((await q(["query", "account", "node3"])).balance);
    await q(["billing", "settle", "--from", "product-user", "--escrow", opened.escrow, "--all", "--wait"]);
    expect(await q(["billing", "show", opened.escrow])).toMatchObject({ balance: "4000", invoices: [] });
    expect(BigInt((await q(["query", "account", "node3"])).balance)).toBe(bal3 + 990n);
  }, 300_000);

  it("every node agrees on the state root, and supply + burned = genesis + minted", async () => {
    const { height } = await q(["query", "status"]);
    const h = String(Number(height) + 2);
    expect((await runCli(["devnet", "wait", "--height", h, "--timeout", "60"], { home })).code).toBe(0);
    const roots = await Promise.all(
      nodes.map(async (n) => (await q(["query", "block", h, "--node", n.apiUrl])).header.stateRoot),
    );
    expect(new Set(roots).size).toBe(1);
    const g = JSON.parse(readFileSync(join(home, "devnets", "product", "genesis.json"), "utf8"));
    const genesisSupply =
      g.accounts.reduce((s: bigint, a: any) => s + BigInt(a.balance), 0n) +
      g.validators.reduce((s: bigint, v: any) => s + BigInt(v.stake), 0n);
    for (const n of nodes) {
      const s: any = await (await fetch(`${n.apiUrl}/v1/supply`)).json();
      expect(BigInt(s.total) + BigInt(s.burned)).toBe(genesisSupply + BigInt(s.minted));
      expect(BigInt(s.minted)).toBeGreaterThan(0n);
      expect(BigInt(s.burned)).toBeGreaterThan(0n);
    }
  }, 120_000);

  it("bad input is one line with a hint and exit 1", async () => {
    const bad = await runCli(
      ["tx", "challenge", "--from", "product-user", "--validator", "node1", "--evidence-hash", "nothex"],
      { home },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--evidence-hash must be 0x followed by 64 hex digits/);
    const notMember = await runCli(
      [
        "tx",
        "attest",
        "--from",
        "product-user",
        "--oracle-key",
        "node0",
        "--validator",
        "node1",
        "--epoch",
        "0",
        "--score",
        "1",
      ],
      { home },
    );
    expect(notMember.code).toBe(1);
    expect(notMember.stderr).toMatch(/not a member of the oracle committee|no work report/);
    const show = await runCli(["billing", "show", "0x12"], { home });
    expect(show.code).toBe(1);
    // The API answers malformed ids with a 4xx JSON error, unknown ones with 404.
    const api = nodes[0]?.apiUrl as string;
    for (const [path, status, code] of [
      ["/v1/billing/0x12", 400, "BAD_ESCROW"],
      [`/v1/billing/0x${"00".repeat(32)}`, 404, "NOT_FOUND"],
      ["/v1/work/abc/node1", 400, "BAD_EPOCH"],
      ["/v1/work/0/nobody", 400, "BAD_ADDRESS"],
      ["/v1/rewards/fp1nope", 400, "BAD_ADDRESS"],
    ] as const) {
      const res = await fetch(api + path);
      expect(res.status, path).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe(code);
    }
  }, 60_000);
});
