import { execFile } from "node:child_process";
import { RUN_JS } from "../providers/process.js";
import type { RunnerHooks } from "./context.js";

/**
 * Runner hooks backed by this CLI: `hasCommand` asks oclif's command table (given by the command), and
 * `runCommand` runs `fastpos ARGS` as a child process on the same home, as a user would.
 */
export function cliHooks(home: string, hasCommand: (id: string) => boolean): RunnerHooks {
  return {
    hasCommand,
    runCommand: (args) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [RUN_JS, ...args],
          { env: { ...process.env, FASTPOS_HOME: home }, timeout: 120_000, maxBuffer: 16 << 20 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 2) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      }),
  };
}
