import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The `process` provider (DESIGN.md §6): each node is a detached child process (its own process group)
 * (node:child_process spawn) with stdout/stderr appended to a log file, so nodes outlive the CLI that started them. Control is by
 * signals on the pid recorded in devnet.json: SIGTERM (stop, clean shutdown), SIGKILL (kill), SIGSTOP /
 * SIGCONT (pause / resume).
 */
export interface ProcessSpec {
  /** Executable and arguments, e.g. [process.execPath, "bin/run.js", "node", "start", "--home", dir]. */
  command: string[];
  logFile: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Starts a detached node process and returns its pid. */
export function spawnDetached(spec: ProcessSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const out = openSync(spec.logFile, "a");
  try {
    const [file, ...args] = spec.command as [string, ...string[]];
    // NOTE: node:child_process rather than execa here: the log file's fd is handed to the child directly,
    // so the node keeps logging after this CLI process exits (execa would pipe through the parent).
    const child = spawn(file, args, {
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, ...spec.env },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
    });
    child.on("error", () => {});
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/**
 * True while a process with this pid exists and is not a zombie. NOTE: detached nodes are orphans once the
 * CLI exits; where pid 1 does not reap them they linger as zombies, which signal 0 would call alive.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    try {
      process.kill(pid, 0);
      return !existsSync("/proc/self/stat");
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  }
}

/** Process state from /proc (R, S, T = stopped/paused, Z = zombie), or undefined if gone. */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const { readFile } = await import("node:fs/promises");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return isAlive(pid) ? "?" : undefined;
  }
}

/** Sends a signal to the node's whole process group (falls back to the pid). Gone processes are fine. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") continue;
      throw err;
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. Resumes paused processes first. */
export async function stopProcess(
  pid: number,
  graceMs = 10_000,
): Promise<"stopped" | "killed" | "not-running"> {
  if (!isAlive(pid)) return "not-running";
  signal(pid, "SIGCONT");
  signal(pid, "SIGTERM");
  if (await waitGone(pid, graceMs)) return "stopped";
  signal(pid, "SIGKILL");
  await waitGone(pid, 5_000);
  return "killed";
}

/** Waits until the pid is gone (or a zombie, which counts as gone). */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const st = await processState(pid);
    if (st === undefined || st === "Z") return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * Pids of live `fastpos node start --home HOME` processes, found through /proc: lets `devnet down` stop a
 * node whose pid never reached devnet.json (e.g. `devnet up` interrupted right after spawning it).
 */
export function pidsForHome(home: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const args = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      const i = args.indexOf("--home");
      if (args.includes("start") && i >= 0 && args[i + 1] === home && isAlive(Number(e))) out.push(Number(e));
    } catch {}
  }
  return out;
}
