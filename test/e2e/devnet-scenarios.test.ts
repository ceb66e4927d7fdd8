import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";
import { readJunit } from "../helpers/junit.js";

/**
 * The shipped scenarios (devnets/scenarios/) through `fastpos devnet test` on the process provider, as CI
 * runs them: each must pass every step and every built-in invariant, exit 0, write a JUnit file that parses,
 * and leave no devnet behind. rolling-restarts (the longest, ≈ 35 s alone) is left to manual runs.
 */
const SCENARIOS = [
  "crash-restart",
  "minority-partition",
  "no-quorum-partition",
  "latency-300ms",
  "kill-during-load",
];
const dir = resolve(import.meta.dirname, "../../devnets/scenarios");

describe("fastpos devnet test (shipped scenarios, real processes)", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir("fastpos-scenarios-"));
  });
  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  for (const name of SCENARIOS) {
    it(`${name} passes every step and invariant, with a valid JUnit report`, async () => {
      const junit = join(home, `${name}.xml`);
      const r = await runCli(["devnet", "test", join(dir, `${name}.yaml`), "--junit", junit, "--json"], {
        home,
        timeout: 240_000,
      });
      const rep = JSON.parse(r.stdout);
      const failed = [...rep.steps, ...rep.invariants].filter(
        (c: { status: string }) => c.status !== "passed",
      );
      expect(failed, r.stderr).toEqual([]);
      expect(r.code).toBe(0);
      expect(rep).toMatchObject({ scenario: name, passed: true, provider: "process" });
      expect(rep.invariants).toHaveLength(5);
      const { cases } = readJunit(readFileSync(junit, "utf8"));
      expect(cases).toHaveLength(rep.steps.length + 5);
      expect(cases.every((c) => c.status === "passed")).toBe(true);
      expect((await runCli(["devnet", "list", "--json"], { home })).json().devnets).toEqual([]); // torn down
    }, 240_000);
  }

  it("a scenario with mistakes exits 1 and names each line, before starting anything", async () => {
    const file = join(home, "bad.yaml");
    writeFileSync(
      file,
      [
        "name: bad",
        "steps:",
        "  - up: { validators: 4 }",
        "  - kill: node7",
        "  - load: { rate: fast, duration: 5s }",
        "",
      ].join("\n"),
    );
    const r = await runCli(["devnet", "test", file], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 5: steps\[2\]\.load\.rate/);
    const r2 = await runCli(["devnet", "test", file.replace("bad", "missing")], { home });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/cannot read .*missing\.yaml: ENOENT/);
    writeFileSync(
      file,
      ["name: bad", "steps:", "  - up: { validators: 4 }", "  - kill: node7", ""].join("\n"),
    );
    const r3 = await runCli(["devnet", "test", file, "--json"], { home });
    expect(r3.code).toBe(1);
    expect(r3.json().error.message).toMatch(/line 4: steps\[1\] \(kill\): no node "node7"/);
    expect((await runCli(["devnet", "list", "--json"], { home })).json().devnets).toEqual([]);
  });
});
