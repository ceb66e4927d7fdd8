import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { runCli, tempDir } from "./cli.js";

/** Kills every process recorded in any devnet under `home` (cleanup that works even after a failed test). */
export async function killAllDevnets(home: string): Promise<void> {
  const dir = join(home, "devnets");
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    await runCli(["devnet", "down", "--name", name], { home, timeout: 30_000 }).catch(() => {});
    const file = join(dir, name, "devnet.json");
    if (!existsSync(file)) continue;
    for (const n of JSON.parse(readFileSync(file, "utf8")).nodes as { pid: number | null }[]) {
      if (n.pid) {
        try {
          process.kill(n.pid, "SIGKILL");
        } catch {}
      }
    }
  }
}

/** True while the process exists and is not a zombie (orphans may linger unreaped as Z where pid 1 does not reap). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The block hash each node reports at `height` (through `fastpos query block`), in node order. */
export async function blockHashesAt(
  home: string,
  nodes: { apiUrl: string }[],
  height: string,
): Promise<string[]> {
  return Promise.all(
    nodes.map(
      async (n) =>
        (await runCli(["query", "block", height, "--node", n.apiUrl, "--json"], { home })).json().hash,
    ),
  );
}

/** Calls a devnet node's fault-injection endpoint (`/admin/faults`) with its admin token. */
export function nodeFaults(
  node: { apiUrl: string; home: string },
  method: "POST" | "DELETE",
  body?: unknown,
): Promise<Response> {
  return fetch(`${node.apiUrl}/admin/faults`, {
    method,
    headers: {
      authorization: `Bearer ${readFileSync(join(node.home, "admin-token"), "utf8").trim()}`,
      "content-type": "application/json",
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

/**
 * `devnet up -n N --devnet NAME --json` in a fresh FASTPOS_HOME, for a suite's `beforeAll`: fails the suite
 * with both output streams when `up` fails. `down()` (for `afterAll`) kills the devnets and removes the home.
 */
export async function upTestDevnet(
  n: number,
  name: string,
  prefix?: string,
): Promise<{ home: string; up: any; nodes: any[]; down: () => Promise<void> }> {
  const { dir: home, cleanup } = tempDir(prefix);
  const r = await runCli(["devnet", "up", "-n", String(n), "--devnet", name, "--json"], {
    home,
    timeout: 90_000,
  });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const up = r.json();
  const down = async () => {
    await killAllDevnets(home);
    cleanup();
  };
  return { home, up, nodes: up.nodes, down };
}
