import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * `devnet add-validator` after a failure (issue 19 item 5): running it again with the same name resumes
 * with the node, keys and funding the first attempt made, instead of "already has a node named …".
 */
describe("devnet add-validator resumes (real devnet)", () => {
  let home: string;
  let cleanup: () => void;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "2", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("a failed attempt is resumed by the same command, and a bonded name is refused", async () => {
    // The first attempt fails after it made the node: the funder cannot pay this much stake.
    const failed = await runCli(["devnet", "add-validator", "--name", "val9", "--stake", "9000000000000"], {
      home,
      timeout: 120_000,
    });
    expect(failed.code, failed.stderr).toBe(1);
    const status = (await runCli(["devnet", "status", "--json"], { home })).json();
    expect(status.nodes.map((n: any) => n.name)).toContain("val9");

    const again = await runCli(["devnet", "add-validator", "--name", "val9", "--timeout", "300", "--json"], {
      home,
      timeout: 360_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ node: "val9", stake: "1000000", resumed: true });

    const list = (await runCli(["query", "validators", "--json"], { home })).json();
    const v = list.validators.find((x: any) => x.consensusAddress === again.json().validator);
    expect(v?.selfStake).toBe("1000000");

    const third = await runCli(["devnet", "add-validator", "--name", "val9"], { home, timeout: 60_000 });
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/already has a validator named val9/);
  }, 480_000);
});
