import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

/**
 * Issue 19 item 3: every user mistake exits 1 with one clear `Error:` line and a `Hint:`, never a stack
 * trace or exit 2/4; with --json the `{error: {code, message}}` document. Real CLI in child processes;
 * no devnet is needed: each input is rejected before anything is sent.
 */
const DEAD = "http://127.0.0.1:1";
// As users run it: vitest sets NODE_ENV=test, which makes oclif add a developer warning on parse errors.
const env = { NODE_ENV: "production" };
const BIG = "99999999999999999999999";
// A real address with its last character changed: the checksum fails.
const BAD_ADDR = "fp1qypqxpq9qcrssqgzqvzq2ps8pqqsyqcy2l5r6q";

const cases: { name: string; argv: string[]; message: RegExp; hint: RegExp; code?: string }[] = [
  {
    name: "amount above u64",
    argv: ["tx", "transfer", "--from", "alice", "--to", "bob", "--amount", BIG, "--node", DEAD],
    message: /--amount .* above the largest amount/,
    hint: /at most 18446744073709551615/,
    code: "BAD_AMOUNT",
  },
  {
    name: "fee above u64",
    argv: ["tx", "transfer", "--from", "a", "--to", "b", "--amount", "1", "--fee", BIG, "--node", DEAD],
    message: /--fee .* above the largest amount/,
    hint: /64-bit/,
    code: "BAD_AMOUNT",
  },
  {
    name: "query tx with a short hash",
    argv: ["query", "tx", "0x1234", "--node", DEAD],
    message: /"0x1234" is not a transaction hash/,
    hint: /64 hex digits/,
    code: "BAD_TX_HASH",
  },
  {
    name: "query tx with a non-hex hash",
    argv: ["query", "tx", "nothex", "--node", DEAD],
    message: /"nothex" is not a transaction hash/,
    hint: /64 hex digits/,
  },
  {
    name: "genesis new --out into a missing directory",
    argv: ["genesis", "new", "--out", "/nonexistent/x"],
    message: /no such file or directory: \/nonexistent\/x/,
    hint: /parent directory/,
    code: "FS_ENOENT",
  },
  {
    name: "unknown command",
    argv: ["tx", "tranfer"],
    message: /"tx tranfer" is not a fastpos command/,
    hint: /did you mean `fastpos tx transfer`/,
    code: "COMMAND_NOT_FOUND",
  },
  {
    name: "a name given as an argument to a command that takes it as --name",
    argv: ["keys", "new", "alice"],
    message: /`fastpos keys new` takes no argument "alice"/,
    hint: /did you mean `fastpos keys new --name alice`/,
    code: "USAGE",
  },
  {
    name: "an extra argument",
    argv: ["devnet", "list", "extra", "words"],
    message: /`fastpos devnet list` takes no argument "extra" "words"/,
    hint: /run `fastpos devnet list --help`/,
    code: "USAGE",
  },
  {
    name: "--node that is not a URL",
    argv: ["query", "status", "--node", "notaurl"],
    message: /--node "notaurl" is not an http\(s\) URL/,
    hint: /--node http:\/\/127\.0\.0\.1/,
    code: "BAD_NODE_URL",
  },
  {
    name: "fp1 address with a bad checksum",
    argv: ["query", "account", BAD_ADDR, "--node", DEAD],
    message: /is not a valid address \(checksum\)/,
    hint: /typo/,
    code: "BAD_ADDRESS",
  },
  {
    name: "missing required arg",
    argv: ["query", "tx"],
    message: /^Missing 1 required arg: hash/,
    hint: /run `fastpos query tx --help`/,
    code: "USAGE",
  },
];

describe("user-input errors: exit 1, one line + hint (real CLI)", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it.each(cases)("$name", async ({ argv, message, hint, code }) => {
    const r = await runCli(argv, { home, env });
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(/^Error: /);
    expect(lines[0]?.slice(7)).toMatch(message);
    expect(lines[1]).toMatch(/^Hint: /);
    expect(lines[1]).toMatch(hint);
    expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
    const j = await runCli([...argv, "--json"], { home, env });
    expect(j.code).toBe(1);
    expect(j.json().error.message).toMatch(message);
    if (code) expect(j.json().error.code).toBe(code);
  });

  it("watch --once against nodes that do not answer exits 4 (unreachable), not 0", async () => {
    const r = await runCli(["watch", "--once", "--node", DEAD, "--node", "http://127.0.0.1:2"], {
      home,
      env,
    });
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stderr).toMatch(/^Error: none of the 2 node\(s\) answered/);
    expect(r.stderr).toMatch(/\nHint: /);
  });

  it("several usage problems: one line each, no oclif scramble", async () => {
    const r = await runCli(["tx", "transfer"], { home, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        "Error: 3 problems:",
        "  - Missing required flag amount",
        "  - Missing required flag from",
        "  - Missing required flag to",
        "Hint: run `fastpos tx transfer --help` for usage",
        "",
      ].join("\n"),
    );
  });

  it("-v, --version and `version` print the version (exit 0)", async () => {
    for (const argv of [["-v"], ["--version"], ["version"]]) {
      const r = await runCli(argv, { home, env });
      expect(r.code, `${argv} ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^fastpos\/\d+\.\d+\.\d+ /);
    }
    const j = await runCli(["version", "--json"], { home, env });
    expect(j.json()).toMatchObject({ version: expect.stringMatching(/^\d+\./), node: process.version });
  });
});
