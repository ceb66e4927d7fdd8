import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

describe("fastpos genesis (real CLI binary)", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it("writes byte-identical default genesis files on every run", async () => {
    const a = join(home, "a.json");
    const b = join(home, "b.json");
    expect((await runCli(["genesis", "new", "--out", a], { home })).code).toBe(0);
    expect((await runCli(["genesis", "new", "--out", b], { home })).code).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
    const stdout = await runCli(["genesis", "new"], { home });
    expect(stdout.stdout).toBe(readFileSync(a, "utf8"));
  });

  it("validates a file and reports the same hash as creation", async () => {
    const file = join(home, "g.json");
    const created = await runCli(
      ["genesis", "new", "-n", "5", "--chain-id", "e2e", "--out", file, "--json"],
      { home },
    );
    expect(created.json()).toMatchObject({ chainId: "e2e", validators: 5 });
    const v = await runCli(["genesis", "validate", file, "--json"], { home });
    expect(v.code).toBe(0);
    expect(v.json().hash).toBe(created.json().hash);
  });

  it("builds validators from keystore keys and funds accounts by name or address", async () => {
    await runCli(["keys", "new", "--name", "val1"], { home });
    await runCli(["keys", "new", "--name", "val2"], { home });
    const alice = (await runCli(["keys", "new", "--name", "alice", "--json"], { home })).json();
    const r = await runCli(
      [
        "genesis",
        "new",
        "--validator",
        "val1",
        "--validator",
        "val2",
        "--account",
        `${alice.address}=500`,
        "--account",
        "val1=7",
        "--json",
      ],
      { home },
    );
    expect(r.code).toBe(0);
    const g = r.json().genesis;
    expect(g.validators.map((v: { name: string }) => v.name)).toEqual(["val1", "val2"]);
    expect(g.accounts).toContainEqual({ address: alice.address, balance: "500" });
  });

  it("rejects a bad file naming the JSON path, with exit 1 and no stack", async () => {
    const file = join(home, "bad.json");
    const good = JSON.parse((await runCli(["genesis", "new"], { home })).stdout);
    good.accounts[1].balance = "lots";
    writeFileSync(file, JSON.stringify(good));
    const r = await runCli(["genesis", "validate", file], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("accounts[1].balance");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await runCli(["genesis", "validate", file, "--json"], { home });
    expect(j.json().error.code).toBe("GENESIS_INVALID");
    expect((await runCli(["genesis", "validate", join(home, "nope.json")], { home })).code).toBe(1);
  });

  it("refuses to overwrite without --force and rejects bad flag values", async () => {
    const file = join(home, "a.json");
    expect((await runCli(["genesis", "new", "--out", file], { home })).code).toBe(1);
    expect((await runCli(["genesis", "new", "--out", file, "--force"], { home })).code).toBe(0);
    expect((await runCli(["genesis", "new", "--account", "nobody"], { home })).code).toBe(1);
    expect((await runCli(["genesis", "new", "--preset", "fast"], { home })).code).toBe(1);
  });
});
