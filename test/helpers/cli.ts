import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";

/** The built CLI exactly as users run it (`npm test` builds dist/ first). */
export const BIN = resolve(import.meta.dirname, "../../bin/run.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
}

/** Runs `fastpos ARGS` in a child process with no TTY, CI-like. */
export async function runCli(
  args: string[],
  opts: { home?: string; env?: Record<string, string>; input?: string; timeout?: number } = {},
): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    reject: false,
    input: opts.input ?? "",
    timeout: opts.timeout ?? 60_000,
    env: {
      OCLIF_SKIP_NEW_VERSION_CHECK: "true",
      NO_COLOR: "1",
      ...(opts.home ? { FASTPOS_HOME: opts.home } : {}),
      ...opts.env,
    },
    extendEnv: true,
    stripFinalNewline: false,
  });
  return {
    code: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    json: () => JSON.parse(String(r.stdout)),
  };
}

/** A fresh temp dir, removed by the returned cleanup function. */
export function tempDir(prefix = "fastpos-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
