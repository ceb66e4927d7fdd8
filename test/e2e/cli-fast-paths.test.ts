import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempDir } from "../helpers/cli.js";

/**
 * bin/run.js answers `--version`, `-v`, `version [--json]` and runs a plain `node start --home DIR` without
 * loading oclif (issue 22 item 4). Here, with a preload that makes loading @oclif/core throw, those still
 * work — and print exactly what oclif itself prints for them (oclif run directly, without bin/run.js).
 */
describe("CLI fast paths (no oclif)", () => {
  const { dir, cleanup } = tempDir("fastpos-fast-paths-");
  afterAll(cleanup);
  const guard = join(dir, "no-oclif.cjs");
  writeFileSync(
    guard,
    `const M = require("node:module");
const load = M._load;
M._load = function (request, ...rest) {
  if (String(request).includes("@oclif/core")) throw new Error("oclif was loaded");
  return load.call(this, request, ...rest);
};
`,
  );
  const noOclif = { NODE_OPTIONS: `--require ${guard}` };
  /** Runs the command through oclif's own `execute`, not bin/run.js. */
  const viaOclif = (args: string[]) =>
    execa(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { execute, settings } from "@oclif/core"; settings.enableAutoTranspile = false;
await execute({ dir: ${JSON.stringify(pathToFileURL(BIN).href)}, args: ${JSON.stringify(args)} });`,
      ],
      {
        reject: false,
        stripFinalNewline: false,
        cwd: join(BIN, "../.."),
        env: { OCLIF_SKIP_NEW_VERSION_CHECK: "true", NO_COLOR: "1" },
      },
    );

  it("the guard works: an ordinary command fails under it", async () => {
    const r = await runCli(["query", "status", "--help"], { home: dir, env: noOclif });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("oclif was loaded");
  });

  it("prints the version as oclif does, without oclif", async () => {
    for (const args of [["--version"], ["-v"], ["version"], ["version", "--json"]]) {
      const fast = await runCli(args, { home: dir, env: noOclif });
      const slow = await viaOclif(args);
      expect([args, fast.code, fast.stdout]).toEqual([args, 0, String(slow.stdout)]);
      expect(fast.stderr).toBe("");
    }
  });

  it("runs a plain `node start --home DIR` without oclif, with the command's errors and exit codes", async () => {
    const missing = join(dir, "no-such-home");
    for (const json of [false, true]) {
      const args = ["node", "start", "--home", missing, ...(json ? ["--json"] : [])];
      const fast = await runCli(args, { home: dir, env: noOclif });
      const slow = await viaOclif(args);
      expect(fast.code).toBe(1);
      expect(slow.exitCode).toBe(1);
      expect([fast.stdout, fast.stderr]).toEqual([String(slow.stdout), String(slow.stderr)]);
    }
    expect((await runCli(["node", "start", "--home", missing], { home: dir })).stderr).toContain(
      "Error: no node home",
    );
  });
});
