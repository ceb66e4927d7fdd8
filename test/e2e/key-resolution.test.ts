import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";

/**
 * Issue 19 item 1 (and the lookup half of item 7): one key resolution rule. After README's own
 * `keys new --name alice`, `--from alice` on the devnet must still sign with the devnet's funded alice
 * (it silently used the empty keystore alice), warn about the shadowed name, `keys list` must show both
 * with their SOURCE, errors must say which key signed, and a recipient's address must never need its
 * password. One one-validator devnet, the real CLI.
 */
describe("key resolution: devnet keys vs keystore keys (real CLI)", () => {
  let home: string;
  let cleanup: () => void;
  let apiUrl: string;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const up = await runCli(["devnet", "up", "-n", "1", "--json"], { home, timeout: 90_000 });
    expect(up.code, up.stderr).toBe(0);
    apiUrl = up.json().nodes[0].apiUrl;
    const k = await runCli(["keys", "new", "--name", "alice"], { home });
    expect(k.code, k.stderr).toBe(0);
    const enc = await runCli(["keys", "new", "--name", "vault", "--password", "pw"], { home });
    expect(enc.code, enc.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("keys list shows keystore and devnet keys with a SOURCE, shadowed names marked", async () => {
    const r = await runCli(["keys", "list", "--json"], { home });
    expect(r.code, r.stderr).toBe(0);
    const alices = r.json().keys.filter((k: { name: string }) => k.name === "alice");
    expect(alices.map((k: { source: string }) => k.source).sort()).toEqual(["devnet local", "keystore"]);
    expect(alices.every((k: { shadowed: boolean }) => k.shadowed)).toBe(true);
    const human = await runCli(["keys", "list"], { home });
    expect(human.stdout).toMatch(/^NAME\s+SOURCE\s+ADDRESS/);
    expect(human.stdout).toMatch(/bob\s+devnet local\s+fp1/);
  });

  it("--from alice on the devnet signs with the devnet's funded alice and warns about the keystore one", async () => {
    const r = await runCli(["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "10", "--wait"], {
      home,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /Warning: key "alice" exists in the devnet local and the keystore; using the devnet local's/,
    );
    const show = await runCli(["keys", "show", "alice", "--json"], { home });
    expect(show.json().source).toBe("devnet local");
  });

  it("with --node the keystore comes first, and the error says which key signed", async () => {
    const r = await runCli(
      ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", "10", "--node", apiUrl],
      { home },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*\(signed with key "alice" from the keystore, fp1/m);
  });

  it("an encrypted recipient is found by name without its password", async () => {
    const r = await runCli(["tx", "transfer", "--from", "bob", "--to", "vault", "--amount", "1", "--wait"], {
      home,
      env: { FASTPOS_PASSWORD: "" },
    });
    expect(r.code, r.stderr).toBe(0);
    const q = await runCli(["query", "account", "vault", "--json"], { home });
    expect(q.code, q.stderr).toBe(0);
    expect(q.json().balance).toBe("1");
  });
});
