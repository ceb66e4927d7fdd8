import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempDir } from "../helpers/cli.js";

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), answering each prompt when its text shows
 * up: the way a user at a terminal sees it.
 */
function onTerminal(home: string, args: string[], answers: [RegExp, string][]) {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
  const child = spawn("script", ["-qec", cmd, "/dev/null"], {
    env: {
      ...process.env,
      FASTPOS_HOME: home,
      CI: "false",
      NO_COLOR: "1",
      OCLIF_SKIP_NEW_VERSION_CHECK: "true",
    },
  });
  let out = "";
  const pending = [...answers];
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const next = pending[0];
    if (next?.[0].test(out)) {
      pending.shift();
      out += "\n";
      child.stdin.write(next[1]);
    }
  });
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("passwords at a terminal (issue 19 item 7)", () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  it("keys new --encrypt asks twice (hidden), and using the key asks for it", async () => {
    const made = await onTerminal(
      home,
      ["keys", "new", "--name", "vault", "--encrypt", "--json"],
      [
        [/New password for key "vault": /, "s3cret\r"],
        [/Repeat it: /, "s3cret\r"],
      ],
    );
    expect(made.code, made.out).toBe(0);
    expect(made.out).not.toMatch(/s3cret/); // never echoed
    expect(made.out).toMatch(/"encrypted": true/);

    const wrong = await onTerminal(
      home,
      ["keys", "export", "vault", "--json"],
      [[/Password for key "vault": /, "nope\r"]],
    );
    expect(wrong.code, wrong.out).toBe(1);

    const right = await onTerminal(
      home,
      ["keys", "export", "vault", "--json"],
      [[/Password for key "vault": /, "s3cret\r"]],
    );
    expect(right.code, right.out).toBe(0);
    expect(right.out).toMatch(/"mnemonic": "(\w+ ){23}\w+"/);
  }, 120_000);

  it("without a terminal nothing prompts: a clear error, exit 1", async () => {
    const r = await runCli(["keys", "export", "vault"], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/password is required/);
    const n = await runCli(["keys", "new", "--name", "v2", "--encrypt"], { home });
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/--encrypt needs a terminal/);
  }, 60_000);
});
