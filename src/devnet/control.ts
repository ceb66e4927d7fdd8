import { rmSync } from "node:fs";
import { createClient } from "../client/client.js";
import { isAlive, pidsForHome, processState, signal, stopProcess } from "./providers/process.js";
import { DevnetError, type DevnetFile, type DevnetNode, devnetDir, findNode, writeDevnet } from "./state.js";
import { spawnNode } from "./up.js";

/**
 * Lifecycle of a running devnet (DESIGN.md §6): status, stop/start/restart/kill/pause/resume of one node,
 * and down. Every change is written back to devnet.json so the next CLI call sees it.
 */
export interface NodeStatusRow {
  name: string;
  pid: number | null;
  state: "running" | "paused" | "stopped";
  apiUrl: string;
  height: string | null;
  round: number | null;
  step: string | null;
  peers: number | null;
  lastBlockTime: string | null;
  validator: string;
}

export async function devnetStatus(d: DevnetFile): Promise<NodeStatusRow[]> {
  return Promise.all(
    d.nodes.map(async (n) => {
      const st = n.pid !== null ? await processState(n.pid) : undefined;
      const state: NodeStatusRow["state"] =
        st === undefined || st === "Z" ? "stopped" : st === "T" ? "paused" : "running";
      let s: Awaited<ReturnType<ReturnType<typeof createClient>["status"]>> | undefined;
      if (state === "running") {
        try {
          s = await createClient({ url: n.apiUrl, timeoutMs: 1000 }).status();
        } catch {}
      }
      return {
        name: n.name,
        pid: state === "stopped" ? null : n.pid,
        state,
        apiUrl: n.apiUrl,
        height: s?.height ?? null,
        round: s?.consensus.round ?? null,
        step: s?.consensus.step ?? null,
        peers: s?.peers ?? null,
        lastBlockTime: s ? new Date(Number(s.latestBlockTime)).toISOString() : null,
        validator: n.validator,
      };
    }),
  );
}

export type NodeAction = "stop" | "start" | "restart" | "kill" | "pause" | "resume";

/** Applies a lifecycle action to one node; returns what happened. */
export async function controlNode(
  home: string,
  d: DevnetFile,
  nodeName: string,
  action: NodeAction,
): Promise<{ node: string; action: NodeAction; result: string; pid: number | null }> {
  const n = findNode(d, nodeName);
  const running = n.pid !== null && isAlive(n.pid);
  let result = "ok";
  switch (action) {
    case "stop":
      result = running ? await stopProcess(n.pid as number) : "not-running";
      n.pid = null;
      break;
    case "kill":
      if (running) signal(n.pid as number, "SIGKILL");
      result = running ? "killed" : "not-running";
      if (running) await stopProcess(n.pid as number, 2000);
      n.pid = null;
      break;
    case "start":
      if (running) result = "already-running";
      else n.pid = startNode(n);
      break;
    case "restart":
      if (running) await stopProcess(n.pid as number);
      n.pid = startNode(n);
      result = "restarted";
      break;
    case "pause":
      if (!running) throw notRunning(n);
      signal(n.pid as number, "SIGSTOP");
      result = "paused";
      break;
    case "resume":
      if (!running) throw notRunning(n);
      signal(n.pid as number, "SIGCONT");
      result = "resumed";
      break;
  }
  writeDevnet(home, d);
  return { node: n.name, action, result, pid: n.pid };
}

function startNode(n: DevnetNode): number {
  return spawnNode(n);
}

function notRunning(n: DevnetNode): DevnetError {
  return new DevnetError(
    { code: "DEVNET_UNKNOWN_NODE", node: n.name, nodes: [] },
    `node ${n.name} is not running (start it with \`fastpos devnet start ${n.name}\`)`,
  );
}

/** Stops every node (SIGTERM, then SIGKILL) and removes the state dir unless `keepData`. */
export async function devnetDown(
  home: string,
  d: DevnetFile,
  keepData: boolean,
): Promise<{ stopped: string[]; removed: boolean }> {
  const stopped: string[] = [];
  await Promise.all(
    d.nodes.map(async (n) => {
      const pids = new Set(pidsForHome(n.home));
      if (n.pid !== null && isAlive(n.pid)) pids.add(n.pid);
      if (pids.size) stopped.push(n.name);
      await Promise.all([...pids].map((pid) => stopProcess(pid, 8000)));
      n.pid = null;
    }),
  );
  if (keepData) writeDevnet(home, d);
  else rmSync(devnetDir(home, d.name), { recursive: true, force: true });
  return { stopped: stopped.sort(), removed: !keepData };
}
