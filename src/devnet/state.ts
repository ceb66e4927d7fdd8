import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FastposError } from "../core/errors.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import type { ComposeSettings } from "./providers/compose.js";
import type { DockerSettings } from "./providers/docker.js";
import { isAlive } from "./providers/process.js";
import type { SwarmSettings } from "./providers/swarm.js";
import type { ProviderKind } from "./providers/types.js";

/**
 * A devnet's state directory (DESIGN.md §6): `$FASTPOS_HOME/devnets/<name>/` with `devnet.json` (ports,
 * pids, endpoints), `node<i>/` homes and `keys/` (the devnet's funded account keys). Files, not a daemon:
 * any later CLI call attaches by name.
 */
export interface DevnetNode {
  name: string;
  home: string;
  apiUrl: string;
  p2pUrl: string;
  /** Host pid while running (docker: the container's init process), null when stopped. */
  pid: number | null;
  validator: string;
  logFile: string;
  /** Container name (docker provider only). */
  container?: string | null;
}

export interface DevnetFile {
  version: 1;
  name: string;
  chainId: string;
  provider: ProviderKind;
  /** Image and networking of a docker devnet. */
  docker?: DockerSettings;
  /** Export directory and project of a devnet run by docker-compose (`devnet export --format compose`). */
  compose?: ComposeSettings;
  /** Image, network and swarm resources of a `--provider swarm` devnet. */
  swarm?: SwarmSettings;
  createdAt: string;
  /** Idle-mode interval every node of this devnet runs with (node config consensus.emptyBlocksIntervalMs). */
  blockTimeMs?: number;
  nodes: DevnetNode[];
  accounts: { name: string; address: string }[];
}

export type DevnetErrorType =
  | { code: "DEVNET_NOT_FOUND"; name: string }
  | { code: "DEVNET_EXISTS"; name: string }
  | { code: "DEVNET_AMBIGUOUS"; names: string[] }
  | { code: "DEVNET_NONE" }
  | { code: "DEVNET_UNKNOWN_NODE"; node: string; nodes: string[] }
  | { code: "DEVNET_START_FAILED"; node: string; reason: string; hint?: string; output?: string[] }
  | { code: "DEVNET_STALE"; name: string }
  | { code: "TIMEOUT"; name: string; height: string; best: string | null }
  | { code: "ENGINE_UNREACHABLE"; engine: string; reason: string; hint: string }
  | { code: "IMAGE_BUILD_IMPOSSIBLE"; reason: string; hint: string }
  | { code: "DEVNET_BAD_OPTION"; option: string; hint?: string }
  | { code: "DEVNET_OUT_OF_SYNC"; behind: { url: string; height: string }[]; best: string }
  | { code: "DEVNET_FAULT_FAILED"; node: string; peer: string; reason: string };
export class DevnetError extends FastposError<DevnetErrorType> {}

export function devnetsDir(home: string): string {
  return join(home, "devnets");
}

export function devnetDir(home: string, name: string): string {
  return join(devnetsDir(home), name);
}

export function readDevnet(home: string, name: string): DevnetFile {
  const file = join(devnetDir(home, name), "devnet.json");
  if (!existsSync(file)) {
    throw new DevnetError(
      { code: "DEVNET_NOT_FOUND", name },
      `no devnet named "${name}" (see \`fastpos devnet list\`)`,
    );
  }
  return JSON.parse(readFileSync(file, "utf8")) as DevnetFile;
}

export function writeDevnet(home: string, d: DevnetFile): void {
  mkdirSync(devnetDir(home, d.name), { recursive: true });
  writeFileAtomicSync(join(devnetDir(home, d.name), "devnet.json"), `${JSON.stringify(d, null, 2)}\n`, 0o644);
}

export function listDevnets(home: string): DevnetFile[] {
  const dir = devnetsDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, "devnet.json")))
    .sort()
    .map((n) => readDevnet(home, n));
}

/**
 * Running = at least one recorded pid alive. A devnet whose pids are all gone is stale (e.g. after a reboot).
 * Docker nodes count as running while devnet.json says so (their pids may live in the engine's VM); the
 * provider's `inspect` is the exact answer.
 */
export function devnetRunning(d: DevnetFile): boolean {
  if ((d.provider ?? "process") !== "process") return d.nodes.some((n) => n.pid !== null);
  return d.nodes.some((n) => n.pid !== null && isAlive(n.pid));
}

/** The devnet a command means: `--devnet NAME`, else the only one that exists. */
export function pickDevnet(home: string, name: string | undefined): DevnetFile {
  // FASTPOS_DEVNET (set by `eval "$(fastpos devnet env)"`) names the devnet when no flag does.
  const chosen = name || process.env.FASTPOS_DEVNET || undefined;
  if (chosen) return readDevnet(home, chosen);
  const all = listDevnets(home);
  if (all.length === 0) {
    throw new DevnetError({ code: "DEVNET_NONE" }, "no devnet found; start one with `fastpos devnet up`");
  }
  const running = all.filter(devnetRunning);
  const pool = running.length ? running : all;
  if (pool.length > 1) {
    throw new DevnetError(
      { code: "DEVNET_AMBIGUOUS", names: pool.map((d) => d.name) },
      `several devnets exist (${pool.map((d) => d.name).join(", ")}); pass --devnet NAME`,
    );
  }
  return pool[0] as DevnetFile;
}

export function findNode(d: DevnetFile, node: string): DevnetNode {
  const n = d.nodes.find((x) => x.name === node) ?? (/^\d+$/.test(node) ? d.nodes[Number(node)] : undefined);
  if (!n) {
    throw new DevnetError(
      { code: "DEVNET_UNKNOWN_NODE", node, nodes: d.nodes.map((x) => x.name) },
      `devnet "${d.name}" has no node "${node}" (nodes: ${d.nodes.map((x) => x.name).join(", ")})`,
    );
  }
  return n;
}
