import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

// The trezor vector mnemonic "abandon ×11 about" — public test data, never a real key.
const TEST_MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

describe("fastpos keys (real CLI binary)", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it("creates a key and prints parseable JSON with the mnemonic once", async () => {
    const r = await runCli(["keys", "new", "--name", "alice", "--json"], { home });
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out.name).toBe("alice");
    expect(out.address).toMatch(/^fp1[02-9ac-hj-np-z]+$/);
    expect(out.publicKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(out.mnemonic.split(" ")).toHaveLength(24);
    expect(statSync(join(home, "keys", "alice.json")).mode & 0o777).toBe(0o600);

    const shown = await runCli(["keys", "show", "alice", "--json"], { home });
    expect(shown.json().address).toBe(out.address);
    expect(shown.stdout).not.toContain(`${out.mnemonic.split(" ")[0]} `);
  });

  it("names unnamed keys default, key-2… and supports 12 words", async () => {
    const a = await runCli(["keys", "new", "--words", "12", "--json"], { home });
    const b = await runCli(["keys", "new", "--json"], { home });
    expect(a.json().name).toBe("default");
    expect(a.json().mnemonic.split(" ")).toHaveLength(12);
    expect(b.json().name).toBe("key-2");
  });

  it("imports from stdin, derives deterministic addresses, and exports the same mnemonic", async () => {
    const imp = await runCli(["keys", "import", "imp", "--json"], {
      home,
      input: `  ${TEST_MNEMONIC.toUpperCase()}\n`,
    });
    expect(imp.code).toBe(0);
    const again = await runCli(["keys", "import", "imp2", "--json", "--mnemonic", TEST_MNEMONIC], { home });
    expect(again.json().address).toBe(imp.json().address);
    const idx1 = await runCli(
      ["keys", "import", "imp3", "--index", "1", "--json", "--mnemonic", TEST_MNEMONIC],
      {
        home,
      },
    );
    expect(idx1.json().address).not.toBe(imp.json().address);
    const exp = await runCli(["keys", "export", "imp", "--json"], { home });
    expect(exp.json().mnemonic).toBe(TEST_MNEMONIC);
  });

  it("names the unknown word and rejects a bad checksum with exit 1", async () => {
    const bad = TEST_MNEMONIC.replace(/about$/, "abuot");
    const r = await runCli(["keys", "import", "x", "--mnemonic", bad], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/abuot/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for user errors
    const cs = await runCli(
      ["keys", "import", "x", "--json", "--mnemonic", TEST_MNEMONIC.replace(/about$/, "abandon")],
      {
        home,
      },
    );
    expect(cs.code).toBe(1);
    expect(cs.json().error.code).toMatch(/CHECKSUM/);
  });

  it("encrypts with a password and refuses a wrong one (exit 1)", async () => {
    const r = await runCli(["keys", "new", "--name", "vault", "--json"], {
      home,
      env: { FASTPOS_PASSWORD: "pw1" },
    });
    expect(r.json().encrypted).toBe(true);
    const list = await runCli(["keys", "list", "--json"], { home });
    expect(list.json().keys.find((k: { name: string }) => k.name === "vault").encrypted).toBe(true);
    const wrong = await runCli(["keys", "export", "vault", "--password", "nope", "--json"], { home });
    expect(wrong.code).toBe(1);
    expect(wrong.json().error.code).toBe("KEYSTORE_BAD_PASSWORD");
    const none = await runCli(["keys", "export", "vault"], { home });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Error: .*password/im);
    const ok = await runCli(["keys", "export", "vault", "--password", "pw1", "--json"], { home });
    expect(ok.json().mnemonic).toBe(r.json().mnemonic);
  });

  it("reports unknown keys and usage errors as user errors", async () => {
    const r = await runCli(["keys", "show", "nobody"], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: /);
    expect(r.stderr).toMatch(/keys list/);
    const usage = await runCli(["keys", "new", "--words", "13", "--json"], { home });
    expect(usage.code).toBe(1);
    expect(usage.json().error.code).toBe("USAGE");
  });

  it("deletes only with --force when not on a terminal", async () => {
    const refused = await runCli(["keys", "delete", "imp2"], { home });
    expect(refused.code).toBe(1);
    const done = await runCli(["keys", "delete", "imp2", "--force", "--json"], { home });
    expect(done.json().deleted).toBe("imp2");
    expect((await runCli(["keys", "show", "imp2"], { home })).code).toBe(1);
  });

  it("lists keys sorted and works in a pipe", async () => {
    const r = await runCli(["keys", "list", "--json"], { home });
    const names = r.json().keys.map((k: { name: string }) => k.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("alice");
  });
});
