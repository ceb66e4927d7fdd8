import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * Staking on a real devnet: add a validator through a bond tx → after the epoch it proposes and votes →
 * unbond → after the epoch it is out of the set → after the unbonding period its funds are back.
 */
// Multi-step tests on real processes: each waits on conditions; 2 min bounds a loaded machine.
describe("staking lifecycle (real devnet)", { timeout: 120_000 }, () => {
  let home: string;
  let cleanup: () => void;
  let added: any;
  const q = async (args: string[]) => (await runCli([...args, "--json"], { home })).json();

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "4", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("add-validator bonds a new node that, after the epoch boundary, votes and proposes", async () => {
    const r = await runCli(["devnet", "add-validator", "--name", "val5", "--stake", "1000000", "--json"], {
      home,
      timeout: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    added = r.json();
    expect(added).toMatchObject({ node: "val5", stake: "1000000" });
    // Judge the status by the height the validator list was read at (blocks come every ~100 ms). The
    // boundary block (activeFromHeight − 1) is the one whose end-of-block switches the set.
    const list = await q(["query", "validators"]);
    const before = list.validators.find((v: any) => v.consensusAddress === added.validator);
    expect(before.status).toBe(
      Number(list.height) >= Number(added.activeFromHeight) - 1 ? "active" : "inactive",
    );
    const from = Number(added.activeFromHeight);
    const w = await runCli(["devnet", "wait", "--height", String(from + 25), "--timeout", "60"], { home });
    expect(w.code, w.stderr).toBe(0);
    const set = await q(["query", "validators"]);
    expect(set.validators.find((v: any) => v.consensusAddress === added.validator)).toMatchObject({
      status: "active",
      power: "1000000",
    });
    let signed = 0;
    let proposed = 0;
    for (let h = from + 1; h <= from + 25; h++) {
      const b = await q(["query", "block", String(h)]);
      if (b.lastCommit.signatures.some((s: any) => s.validator === added.validator)) signed++;
      if (b.header.proposer === added.validator) proposed++;
    }
    expect(signed).toBeGreaterThan(10);
    expect(proposed).toBeGreaterThan(0);
  }, 180_000);

  it("tx unbond takes it out of the set at the next epoch and returns the funds after the unbonding period", async () => {
    const balance0 = BigInt((await q(["query", "account", "val5"])).balance);
    const u = await runCli(["tx", "unbond", "--from", "val5", "--amount", "1000000", "--wait", "--json"], {
      home,
    });
    expect(u.code, u.stderr).toBe(0);
    const unb = await q(["query", "unbonding", "val5"]);
    expect(unb.entries).toHaveLength(1);
    const release = Number(unb.entries[0].releaseAfterHeight);
    const L = Number((await q(["query", "validators"])).epochLength);
    const boundary = Math.ceil(Number(u.json().height) / L) * L;
    expect(
      (await runCli(["devnet", "wait", "--height", String(boundary + 2), "--timeout", "60"], { home })).code,
    ).toBe(0);
    const after = await q(["query", "validators"]);
    expect(after.validators.find((v: any) => v.consensusAddress === added.validator)).toMatchObject({
      status: "inactive",
      power: "0",
    });
    expect(after.validators.filter((v: any) => v.status === "active")).toHaveLength(4);
    // Blocks come every ~100 ms: judge the balance by the height it was read at. The funds come back at the
    // end of block `release` (the epoch boundary), so a read at that height already sees them.
    const mid = await q(["query", "account", "val5"]);
    expect(BigInt(mid.balance)).toBe(Number(mid.height) < release ? balance0 : balance0 + 1_000_000n);
    expect(
      (await runCli(["devnet", "wait", "--height", String(release + 1), "--timeout", "90"], { home })).code,
    ).toBe(0);
    expect(BigInt((await q(["query", "account", "val5"])).balance)).toBe(balance0 + 1_000_000n);
    expect((await q(["query", "unbonding", "val5"])).entries).toEqual([]);
  }, 180_000);

  it("rejects invalid staking txs with clear codes (exit 1)", async () => {
    const below = await runCli(["tx", "bond", "--from", "bob", "--amount", "1", "--json"], { home });
    expect(below.code).toBe(1);
    expect(below.json().error.code).toBe("TX_BELOW_MIN_STAKE");
    const notOp = await runCli(
      ["tx", "unbond", "--from", "bob", "--validator", "node1", "--amount", "1", "--json"],
      { home },
    );
    expect(notOp.json().error.code).toBe("TX_NOT_OPERATOR");
    const unknown = await runCli(
      ["tx", "delegate", "--from", "bob", "--validator", `0x${"11".repeat(20)}`, "--amount", "1", "--json"],
      { home },
    );
    expect(unknown.json().error.code).toBe("TX_UNKNOWN_VALIDATOR");
    const jail = await runCli(["tx", "unjail", "--from", "node1", "--json"], { home });
    expect(jail.json().error.code).toBe("TX_NOT_JAILED");
    const auth = await runCli(
      ["tx", "set-work-weight", "--from", "bob", "--validator", "node1", "--work-weight", "2", "--json"],
      { home },
    );
    expect(auth.json().error.code).toBe("TX_NOT_AUTHORIZED");
  });
});
