/**
 * Child processes of the benchmark runners (bench/compare.ts, bench/scale.ts): bounded runs with their
 * output kept, and the clean-up of devnets a killed run left behind. Only processes these runs started are
 * ever signalled.
 */
import { type SpawnOptions, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a child to its end, output kept, not shown; SIGTERM (then SIGKILL after 10 s) on timeout or abort.
 * Rejects with `error(message)` when it was interrupted before it started or cannot be started.
 */
export function runChild(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { timeoutMs: number; signal: AbortSignal },
  error: (message: string) => Error,
): Promise<Ran> {
  return new Promise((done, fail) => {
    const { timeoutMs, signal, ...spawnOpts } = opts;
    if (signal.aborted) return fail(error("interrupted"));
    const child = spawn(cmd, args, { ...spawnOpts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const stop = () => {
      child.kill("SIGTERM");
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 10_000).unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    signal.addEventListener("abort", stop, { once: true });
    child.on("error", (e) => fail(error(`cannot run ${cmd}: ${e.message}`)));
    child.on("close", (code) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", stop);
      done({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * Stops every devnet recorded under each FASTPOS_HOME of `homes` with `bin`'s `devnet down` (a bench that
 * ends normally removes its own); only if that fails, SIGKILLs the pids its devnet.json records.
 */
export function stopDevnetsIn(homes: readonly string[], bin: string): void {
  for (const home of homes) {
    const devnets = join(home, "devnets");
    if (!existsSync(devnets)) continue;
    for (const name of readdirSync(devnets)) {
      const down = spawnSync(process.execPath, [bin, "devnet", "down", "--name", name], {
        env: { ...process.env, FASTPOS_HOME: home, OCLIF_SKIP_NEW_VERSION_CHECK: "true" },
        timeout: 60_000,
        stdio: "ignore",
      });
      if (down.status === 0) continue;
      try {
        const d = JSON.parse(readFileSync(join(devnets, name, "devnet.json"), "utf8"));
        for (const n of d.nodes ?? []) if (typeof n.pid === "number") process.kill(n.pid, "SIGKILL");
      } catch {}
    }
  }
}

/**
 * The entry point of a benchmark runner: SIGINT/SIGTERM/SIGHUP abort `main` (which cleans up), a user error
 * (`isUserError`) is one line `NAME: message` and exit 1, anything else its stack and exit 2; 130 when
 * interrupted.
 */
export function runMain(
  name: string,
  main: (argv: string[], signal: AbortSignal) => Promise<void>,
  isUserError: (err: unknown) => boolean,
  log: (msg: string) => void,
): void {
  const ac = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(sig, () => {
      if (!ac.signal.aborted) log(`${sig}: stopping the current run and cleaning up`);
      ac.abort();
    });
  main(process.argv.slice(2), ac.signal).then(
    () => {
      if (ac.signal.aborted) process.exitCode = 130;
    },
    (err) => {
      const user = isUserError(err) || err instanceof RangeError;
      process.stderr.write(user ? `${name}: ${err.message}\n` : `${err?.stack ?? err}\n`);
      process.exitCode = ac.signal.aborted ? 130 : user ? 1 : 2;
    },
  );
}
