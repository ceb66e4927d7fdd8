import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "../client/http.js";
import type { FaultJson, FaultsJson, SetFaultRequest } from "../core/api/contract.js";
import { loadPersistedFaults, savePersistedFaults } from "../node/fault-file.js";
import { readKeyFile } from "../node/home.js";
import type { Fault } from "../node/p2p/fault.js";
import { nodeIdOf } from "../node/p2p/handshake.js";
import { providerFor } from "./providers/index.js";
import type { NodeProvider } from "./providers/types.js";
import { DevnetError, type DevnetFile, type DevnetNode, findNode } from "./state.js";

/**
 * Chaos without privileges (DESIGN.md §6, issue 16): partitions, latency, jitter and loss through each
 * node's admin fault API (`POST/DELETE /admin/faults`), the same on every provider — no root, `tc` or
 * `iptables`. A node drops a faulted peer's frames both ways, so one side of a link is enough; both sides
 * are set when they answer. With `persist` the node keeps the fault in its home across restarts; a stopped
 * node gets its persisted faults written straight into its home.
 */
export interface FaultChange {
  node: string;
  /** `set`: in force now; `saved`: node not running, written to its home for the next start; `skipped`. */
  result: "set" | "saved" | "skipped";
  reason?: string;
}

/** The p2p node id of a devnet node (from the node key in its home, so stopped nodes have one too). */
export function nodeIdOfNode(n: DevnetNode): string {
  return nodeIdOf(readKeyFile(join(n.home, "node-key.json")).publicKey);
}

/** One call to a node's admin API with the token from its home. */
export function adminCall<T>(n: DevnetNode, method: "GET" | "POST" | "DELETE", path: string, body?: unknown) {
  const token = readFileSync(join(n.home, "admin-token"), "utf8").trim();
  return request<T>(n.apiUrl, method, path, body, {
    timeoutMs: 3000,
    headers: { authorization: `Bearer ${token}` },
  });
}

/** Applies `faults` (peer id → request) on one node: live if it runs, else (with persist) in its home. */
async function applyOnNode(
  p: NodeProvider,
  d: DevnetFile,
  n: DevnetNode,
  faults: SetFaultRequest[],
  persist: boolean,
): Promise<FaultChange> {
  const state = (await p.inspect(d, n)).state;
  if (state === "running") {
    try {
      for (const f of faults)
        await adminCall(n, "POST", "/admin/faults", { ...f, ...(persist && { persist }) });
      return { node: n.name, result: "set" };
    } catch (err) {
      if (!persist) return { node: n.name, result: "skipped", reason: (err as Error).message };
    }
  } else if (!persist) return { node: n.name, result: "skipped", reason: `node is ${state}` };
  const saved = loadPersistedFaults(n.home, () => {});
  for (const { peer, ...f } of faults) saved[peer] = { ...(f as Fault), persist: true };
  savePersistedFaults(n.home, saved);
  return { node: n.name, result: "saved", reason: `node is ${state}: applies at its next start` };
}

/**
 * `partition A,B C,D,E`: groups of node names (or indices); nodes not named form one more group. Every
 * link between groups is cut both ways.
 * @throws DevnetError DEVNET_UNKNOWN_NODE / DEVNET_BAD_OPTION (a node twice, fewer than two groups).
 */
export function resolveGroups(d: DevnetFile, groups: string[][]): string[][] {
  const seen = new Set<string>();
  const out = groups.map((g) =>
    g.map((name) => {
      const n = findNode(d, name).name;
      if (seen.has(n)) throw badOption("partition", `node ${n} is in two groups`);
      seen.add(n);
      return n;
    }),
  );
  const rest = d.nodes.map((n) => n.name).filter((n) => !seen.has(n));
  if (rest.length) out.push(rest);
  if (out.filter((g) => g.length).length < 2)
    throw badOption("partition", "a partition needs at least two groups (name nodes that stay apart)");
  return out;
}

function badOption(option: string, message: string): DevnetError {
  return new DevnetError({ code: "DEVNET_BAD_OPTION", option }, message);
}

export async function partitionDevnet(
  d: DevnetFile,
  groupArgs: string[][],
  o: { persist?: boolean; provider?: NodeProvider } = {},
): Promise<{ groups: string[][]; nodes: FaultChange[] }> {
  const groups = resolveGroups(d, groupArgs);
  const p = o.provider ?? (await providerFor(d));
  const groupOf = new Map(groups.flatMap((g, i) => g.map((n) => [n, i] as const)));
  const nodes = await Promise.all(
    d.nodes.map((n) =>
      applyOnNode(
        p,
        d,
        n,
        d.nodes
          .filter((m) => groupOf.get(m.name) !== groupOf.get(n.name))
          .map((m) => ({ peer: nodeIdOfNode(m), drop: true })),
        o.persist === true,
      ),
    ),
  );
  // Each cut link needs one side that drops it.
  const done = new Set(nodes.filter((c) => c.result !== "skipped").map((c) => c.node));
  for (const a of d.nodes)
    for (const b of d.nodes) {
      if (groupOf.get(a.name) === groupOf.get(b.name) || done.has(a.name) || done.has(b.name)) continue;
      throw new DevnetError(
        {
          code: "DEVNET_FAULT_FAILED",
          node: a.name,
          peer: b.name,
          reason: nodes.find((c) => c.node === a.name)?.reason ?? "unreachable",
        },
        `cannot cut ${a.name} ↔ ${b.name}: neither node took the fault (${nodes.find((c) => c.node === a.name)?.reason}); pass --persist to apply it at their next start`,
      );
    }
  return { groups, nodes };
}

/** `heal`: clears every fault on every node, live and persisted. */
export async function healDevnet(d: DevnetFile, provider?: NodeProvider): Promise<{ nodes: FaultChange[] }> {
  const p = provider ?? (await providerFor(d));
  const nodes = await Promise.all(
    d.nodes.map(async (n): Promise<FaultChange> => {
      savePersistedFaults(n.home, {}); // also for stopped nodes
      if ((await p.inspect(d, n)).state !== "running")
        return { node: n.name, result: "saved", reason: "not running" };
      try {
        await adminCall(n, "DELETE", "/admin/faults");
        return { node: n.name, result: "set" };
      } catch (err) {
        return { node: n.name, result: "skipped", reason: (err as Error).message };
      }
    }),
  );
  return { nodes };
}

export interface LatencyOptions {
  ms: number;
  jitterMs?: number;
  loss?: number;
  persist?: boolean;
  provider?: NodeProvider;
}

/**
 * `latency NODE|all --ms M [--jitter J] [--loss P]`: every frame to or from NODE is delayed M + U[0, J] ms
 * and lost with probability P. For `all` each node applies half the delay and jitter, and the loss
 * 1 − √(1 − P), to its side of every link, so that each link carries M, J and P once, not twice.
 */
export async function setLatency(
  d: DevnetFile,
  target: string,
  o: LatencyOptions,
): Promise<{ target: string; perNode: FaultJson; nodes: FaultChange[] }> {
  const p = o.provider ?? (await providerFor(d));
  const all = target === "all";
  const nodes = all ? d.nodes : [findNode(d, target)];
  const loss = o.loss ?? 0;
  const perNode: FaultJson = all
    ? {
        delayMs: Math.round(o.ms / 2),
        jitterMs: Math.round((o.jitterMs ?? 0) / 2),
        loss: 1 - Math.sqrt(1 - loss),
      }
    : { delayMs: o.ms, jitterMs: o.jitterMs ?? 0, loss };
  const changes = await Promise.all(
    nodes.map((n) => applyOnNode(p, d, n, [{ peer: "*", drop: false, ...perNode }], o.persist === true)),
  );
  return { target: all ? "all" : (nodes[0] as DevnetNode).name, perNode, nodes: changes };
}

export interface NodeFaults {
  node: string;
  reachable: boolean;
  /** Faults in force, peer given as a node name where known (else its id, or `*`). */
  faults: ({ peer: string } & FaultJson)[];
}

/** A fault that does nothing (what `latency --ms 0` leaves). */
function isNoop(f: FaultJson): boolean {
  return !f.drop && !f.dropTypes?.length && !f.delayMs && !f.jitterMs && !f.loss;
}

/** `faults`: what is in force on each node (as its admin API reports it). */
export async function devnetFaults(d: DevnetFile): Promise<NodeFaults[]> {
  const names = new Map(d.nodes.map((n) => [nodeIdOfNode(n), n.name]));
  return Promise.all(
    d.nodes.map(async (n) => {
      try {
        const r = await adminCall<{ faults: FaultsJson }>(n, "GET", "/admin/peers");
        const faults = Object.entries(r.faults)
          .filter(([, f]) => !isNoop(f))
          .map(([id, f]) => ({ peer: names.get(id) ?? id, ...f }))
          .sort((a, b) => (a.peer < b.peer ? -1 : 1));
        return { node: n.name, reachable: true, faults };
      } catch {
        return { node: n.name, reachable: false, faults: [] };
      }
    }),
  );
}
