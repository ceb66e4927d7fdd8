import { rmSync } from "node:fs";
import { createClient } from "../client/client.js";
import { providerFor } from "./providers/index.js";
import type { NodeProvider } from "./providers/types.js";
import { DevnetError, type DevnetFile, type DevnetNode, devnetDir, findNode, writeDevnet } from "./state.js";
import { waitForHeight } from "./up.js";

/**
 * Lifecycle of a running devnet (DESIGN.md §6): status, stop/start/restart/kill/pause/resume of one node,
 * and down — the same on every provider (process, docker). Every change is written back to devnet.json so
 * the next CLI call sees it.
 */
export interface NodeStatusRow {
  name: string;
  pid: number | null;
  /** Container name (docker provider), null for processes. */
  container: string | null;
  state: "running" | "paused" | "stopped";
  apiUrl: string;
  height: string | null;
  round: number | null;
  step: string | null;
  peers: number | null;
  lastBlockTime: string | null;
  validator: string;
}

export async function devnetStatus(d: DevnetFile, provider?: NodeProvider): Promise<NodeStatusRow[]> {
  const p = provider ?? (await providerFor(d));
  return Promise.all(
    d.nodes.map(async (n) => {
      const info = await p.inspect(d, n);
      let s: Awaited<ReturnType<ReturnType<typeof createClient>["status"]>> | undefined;
      if (info.state === "running") {
        try {
          s = await createClient({ url: n.apiUrl, timeoutMs: 1000 }).status();
        } catch {}
      }
      return {
        name: n.name,
        pid: info.pid,
        container: n.container ?? null,
        state: info.state,
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
  provider?: NodeProvider,
): Promise<{ node: string; action: NodeAction; result: string; pid: number | null }> {
  const n = findNode(d, nodeName);
  const p = provider ?? (await providerFor(d));
  const before = await p.inspect(d, n);
  const running = before.state !== "stopped";
  let result = "ok";
  try {
    switch (action) {
      case "stop":
        result = await p.stop(d, n);
        break;
      case "kill":
        result = await p.kill(d, n);
        break;
      case "start":
        if (running) result = "already-running";
        else {
          await p.start(d, n);
          await waitServing(p, d, n);
          result = "started";
        }
        break;
      case "restart":
        if (running) await p.stop(d, n);
        await p.start(d, n);
        await waitServing(p, d, n);
        result = "restarted";
        break;
      case "pause":
        if (!running) throw notRunning(n);
        await p.pause(d, n);
        result = "paused";
        break;
      case "resume":
        if (!running) throw notRunning(n);
        await p.resume(d, n);
        result = "resumed";
        break;
    }
  } finally {
    writeDevnet(home, d);
  }
  return { node: n.name, action, result, pid: n.pid };
}

/**
 * Returns once a just-started node answers on its API (height ≥ 0), so `devnet start` means "serving" to
 * scripts; fails at once, with what the node printed, if it exits instead (a held signer lock…).
 */
async function waitServing(p: NodeProvider, d: DevnetFile, n: DevnetNode): Promise<void> {
  try {
    await waitForHeight({ ...d, nodes: [n] }, 0n, 30_000, p);
  } catch (err) {
    if ((await p.inspect(d, n)).state === "stopped") n.pid = null;
    throw err;
  }
}

function notRunning(n: DevnetNode): DevnetError {
  return new DevnetError(
    { code: "DEVNET_UNKNOWN_NODE", node: n.name, nodes: [] },
    `node ${n.name} is not running (start it with \`fastpos devnet start ${n.name}\`)`,
  );
}

/** Stops every node, removes what the provider created, and the state dir unless `keepData`. */
export async function devnetDown(
  home: string,
  d: DevnetFile,
  keepData: boolean,
  provider?: NodeProvider,
): Promise<{ stopped: string[]; removed: boolean }> {
  const p = provider ?? (await providerFor(d));
  const stopped = await p.teardown(d, { keepData });
  for (const n of d.nodes) {
    n.pid = null;
    if (n.container !== undefined) n.container = null;
  }
  if (keepData) writeDevnet(home, d);
  // Retries: a node that just died may still have its LevelDB files closing (ENOTEMPTY under load).
  else rmSync(devnetDir(home, d.name), { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  return { stopped, removed: !keepData };
}
