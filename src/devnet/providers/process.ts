import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  watch,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { APP_ROOT } from "../app-root.js";
import type { DevnetFile, DevnetNode } from "../state.js";
import { loopbackNetwork, type NodeProvider, type NodeRuntimeInfo } from "./types.js";

/** The CLI entry point used to run nodes (from src/ via tsx, dist/, and the CLI bundle's chunks). */
export const RUN_JS = join(APP_ROOT, "bin", "run.js");

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

/** First words of the line written to a node's output file before each start. */
export const START_MARK = "fastpos devnet: starting the node at";

/** Starts a detached node process and returns its pid. */
export function spawnDetached(spec: ProcessSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const out = openSync(spec.logFile, "a");
  try {
    // The file is appended to across restarts: this line tells where this run's output begins
    // (devnet/start-failure.ts reads only what follows it).
    writeSync(out, `${START_MARK} ${new Date().toISOString()}\n`);
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

/**
 * True when `pid` is this node's process: alive AND its command line is `… start --home HOME`. A pid in
 * devnet.json may belong to an unrelated process once the node died and the OS reused the number (seen
 * under load in the test suite, issue 19 item 11): signalling it would hit a stranger's process group.
 * Without /proc (macOS) we can only trust the pid.
 */
export function ownsPid(pid: number, home: string): boolean {
  if (!isAlive(pid)) return false;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return !existsSync("/proc/self/cmdline");
  }
  const i = args.indexOf("--home");
  return i >= 0 && args[i + 1] === home;
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

/**
 * PERF: a 4 MB young generation and a 192 MB old-space cap keep a devnet node's RSS ~120 MB at 500 tx/s
 * instead of 170–190 MB with V8's defaults (the old-space cap is ~4× a full mempool's heap).
 * `--single-threaded` (GC and JIT compilation on the main thread, no V8 helper threads): a devnet runs
 * several nodes per machine, so helper threads only compete with the other nodes for the same cores.
 * Measured at max load on 2 cores with 4 validators, runs interleaved: `--single-threaded-gc` −3 to −8%
 * node CPU per tx against V8's default, `--single-threaded` a further −3% (1,975–1,989 vs 1,917–1,931
 * tx/s). Both providers run nodes with these; docker passes the `--max-*` ones through NODE_OPTIONS, which
 * refuses the others.
 */
export const NODE_V8_FLAGS = ["--max-semi-space-size=4", "--max-old-space-size=192", "--single-threaded"];

/**
 * Environment of every devnet node process. `MALLOC_ARENA_MAX=2`: glibc's per-thread malloc arenas (libuv's
 * pool, LevelDB's threads) otherwise keep freed memory each; 2 arenas lower a loaded node's peak RSS by
 * ~10 MB at the same throughput.
 */
export const NODE_ENV_VARS: Record<string, string> = {
  NODE_ENV: "production",
  MALLOC_ARENA_MAX: "2",
};

/** Starts one node of a devnet as a detached process and returns its pid. */
export function spawnNode(n: DevnetNode): number {
  return spawnDetached({
    command: [process.execPath, ...NODE_V8_FLAGS, RUN_JS, "node", "start", "--home", n.home],
    logFile: n.logFile,
    env: { ...NODE_ENV_VARS, FASTPOS_LOG_STDERR: "false" },
  });
}

/** The node's structured log (pino JSON lines) inside its home. */
export function nodeLogFile(n: DevnetNode): string {
  return join(n.home, "logs", "node.log");
}

/** The last `lines` lines of a file, read from its end (logs grow large). */
export async function tailFile(file: string, lines: number): Promise<string[]> {
  if (lines <= 0 || !existsSync(file)) return [];
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    let start = size;
    let text = "";
    while (start > 0) {
      const len = Math.min(64 * 1024, start);
      start -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, start);
      text = buf.toString("utf8") + text;
      if (text.split("\n").length > lines + 1) break;
    }
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(-lines);
  } finally {
    await fh.close();
  }
}

/** Calls `onLine` for each line appended to `file` from now on, until `signal` aborts. */
export function followFile(file: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) closeSync(openSync(file, "a"));
  let pos = statSync(file).size;
  let rest = "";
  let reading = false;
  const readNew = async () => {
    if (reading) return;
    reading = true;
    try {
      for (;;) {
        const size = statSync(file).size;
        if (size < pos) pos = 0; // truncated or replaced
        if (size === pos) break;
        const fh = await open(file, "r");
        const buf = Buffer.alloc(size - pos);
        await fh.read(buf, 0, buf.length, pos);
        await fh.close();
        pos = size;
        const parts = (rest + buf.toString("utf8")).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) if (line.trim()) onLine(line);
      }
    } catch {
      // The file vanished (devnet down): nothing more to follow.
    } finally {
      reading = false;
    }
  };
  return new Promise((resolve) => {
    const w = watch(file, () => void readNew());
    // fs.watch can miss events on some filesystems; a slow poll backs it up.
    const t = setInterval(() => void readNew(), 500);
    signal.addEventListener(
      "abort",
      () => {
        w.close();
        clearInterval(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** The `process` provider: nodes as detached child processes controlled by signals. */
export const processProvider: NodeProvider = {
  kind: "process",
  network: (_d, n, peers) => loopbackNetwork(n, peers),
  async start(_d: DevnetFile, n: DevnetNode) {
    n.pid = spawnNode(n);
  },
  async stop(_d, n, graceMs = 10_000) {
    const pids = new Set(pidsForHome(n.home));
    if (n.pid !== null && ownsPid(n.pid, n.home)) pids.add(n.pid);
    n.pid = null;
    if (pids.size === 0) return "not-running";
    const results = await Promise.all([...pids].map((pid) => stopProcess(pid, graceMs)));
    return results.includes("killed") ? "killed" : "stopped";
  },
  async remove() {},
  async kill(_d, n) {
    const running = n.pid !== null && ownsPid(n.pid, n.home);
    if (running) {
      signal(n.pid as number, "SIGKILL");
      await waitGone(n.pid as number, 5_000);
    }
    n.pid = null;
    return running ? "killed" : "not-running";
  },
  async pause(_d, n) {
    if (n.pid !== null && ownsPid(n.pid, n.home)) signal(n.pid, "SIGSTOP");
  },
  async resume(_d, n) {
    if (n.pid !== null && ownsPid(n.pid, n.home)) signal(n.pid, "SIGCONT");
  },
  async inspect(_d, n): Promise<NodeRuntimeInfo> {
    const st = n.pid !== null && ownsPid(n.pid, n.home) ? await processState(n.pid) : undefined;
    if (st === undefined || st === "Z") return { state: "stopped", pid: null, exited: n.pid !== null };
    return { state: st === "T" ? "paused" : "running", pid: n.pid, exited: false };
  },
  async readLogs(_d, n, lines) {
    return tailFile(nodeLogFile(n), lines);
  },
  async crashLog(_d, n, lines) {
    return tailFile(n.logFile, lines);
  },
  followLogs(_d, n, onLine, sig) {
    return followFile(nodeLogFile(n), onLine, sig);
  },
  async teardown(d) {
    const stopped: string[] = [];
    await Promise.all(
      d.nodes.map(async (n) => {
        if ((await processProvider.stop(d, n, 8_000)) !== "not-running") stopped.push(n.name);
      }),
    );
    return stopped.sort();
  },
};
