/**
 * `fastpos devnet snapshot save|load|list|rm` (issue 17): a whole devnet saved at ONE height and started
 * again from there later (like anvil's dump/load, for a multi-validator BFT chain).
 *
 * Save: every node is stopped cleanly (SIGTERM, in parallel), the database of the node with the highest
 * height is backed up (`node/backup`), and every node's home is copied beside it without its database,
 * logs and locks but WITH its signer state and consensus WAL; then the nodes that ran are started again.
 * The nodes share one chain, so that one database serves every node: they all load at exactly that height.
 *
 * NOTE (why stop, not a hot backup): a validator's signer state may be at most one height past its
 * database, and its WAL holds what it signed there; loaded with both, it re-sends the very same votes and
 * the chain goes on. A hot backup raced the chain (100 ms blocks): the signer states copied after it were
 * heights ahead, and every validator — rightly — refused to sign those heights again: a dead chain.
 *
 * Load: the saved homes come back under `devnets/<name>/`, on fresh ports, each with the saved database
 * restored into it (signer state: the node's own saved one, never another validator's); the nodes start
 * and the chain goes on from the saved height. Loading forks the devnet's timeline at that height: the
 * devnet being replaced must be down first (`--force` takes it down).
 *
 * Layout: `$FASTPOS_HOME/snapshots/<NAME>/{snapshot.json, chain.fpbak, devnet/}`.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { createClient } from "../client/client.js";
import { decodeBlock, hashBlock } from "../core/chain/block.js";
import { toHex } from "../core/codec/index.js";
import { FastposError } from "../core/errors.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import { backupHome } from "../node/backup/home-backup.js";
import { restoreHome } from "../node/backup/restore.js";
import { openStore } from "../node/store.js";
import { devnetDown } from "./control.js";
import { freePorts } from "./ports.js";
import { providerFor } from "./providers/index.js";
import {
  type DevnetFile,
  type DevnetNode,
  devnetDir,
  devnetRunning,
  listDevnets,
  readDevnet,
  writeDevnet,
} from "./state.js";
import { waitForHeight } from "./up.js";

export interface SnapshotInfo {
  version: 1;
  name: string;
  devnet: string;
  chainId: string;
  provider: DevnetFile["provider"];
  height: string;
  blockHash: string | null;
  createdAt: string;
  nodes: string[];
  /** Which node's database was saved. */
  from: string;
  bytes: number;
}

export type SnapshotErrorType =
  | { code: "SNAPSHOT_NOT_FOUND"; name: string; hint: string }
  | { code: "SNAPSHOT_EXISTS"; name: string; hint: string }
  | { code: "SNAPSHOT_BAD_NAME"; name: string; hint: string }
  | { code: "SNAPSHOT_TARGET_EXISTS"; devnet: string; running: boolean; hint: string };
export class SnapshotError extends FastposError<SnapshotErrorType> {}

export function snapshotsDir(home: string): string {
  return join(home, "snapshots");
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new SnapshotError(
      { code: "SNAPSHOT_BAD_NAME", name, hint: "use letters, digits, '.', '_' and '-' (at most 64)" },
      `"${name}" is not a valid snapshot name`,
    );
}

/** Files of a node home that belong to one run, not to the devnet: never saved, never loaded. */
function isRunFile(rel: string): boolean {
  const p = rel.split(sep);
  if (p[1] === "logs") return true;
  if (p[1] !== "data") return false;
  const f = p[2] ?? "";
  return f === "db" || f.startsWith("db.") || f === "backups" || f === "signer.lock";
}

/** The hash of block `height` in a stopped node's database (null if it has none). */
async function blockHashAt(n: DevnetNode, height: bigint): Promise<string | null> {
  if (height === 0n) return null;
  const store = await openStore(join(n.home, "data", "db"));
  try {
    const raw = await store.blockByHeight(height);
    return raw ? toHex(hashBlock(decodeBlock(raw))) : null;
  } finally {
    await store.close();
  }
}

/** The committed height of a node: its API when it runs, else its database. */
async function nodeHeight(n: DevnetNode): Promise<bigint> {
  try {
    return BigInt((await createClient({ url: n.apiUrl, timeoutMs: 1500 }).status()).height);
  } catch {}
  try {
    const store = await openStore(join(n.home, "data", "db"));
    try {
      return await store.height();
    } finally {
      await store.close();
    }
  } catch {
    return -1n;
  }
}

export async function saveSnapshot(
  home: string,
  d: DevnetFile,
  name: string,
  o: { force?: boolean; onProgress?: (m: string) => void } = {},
): Promise<SnapshotInfo> {
  checkName(name);
  const dir = join(snapshotsDir(home), name);
  if (existsSync(dir) && !o.force)
    throw new SnapshotError(
      { code: "SNAPSHOT_EXISTS", name, hint: "pass --force to replace it, or choose another name" },
      `a snapshot named "${name}" already exists`,
    );
  const provider = await providerFor(d);
  const wasRunning = (await Promise.all(d.nodes.map((n) => provider.inspect(d, n)))).map(
    (i) => i.state !== "stopped",
  );
  o.onProgress?.("stopping the nodes");
  await Promise.all(d.nodes.map((n, i) => (wasRunning[i] ? provider.stop(d, n) : undefined)));
  for (const [i, n] of d.nodes.entries()) if (wasRunning[i]) n.pid = null;
  writeDevnet(home, d);
  const heights = await Promise.all(d.nodes.map(nodeHeight));
  let best = 0;
  for (let i = 1; i < heights.length; i++) if ((heights[i] as bigint) > (heights[best] as bigint)) best = i;
  const from = d.nodes[best] as DevnetNode;
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    o.onProgress?.(`backing up ${from.name} at height ${heights[best]}`);
    const b = await backupHome(from.home, join(tmp, "chain.fpbak"));
    const src = devnetDir(home, d.name);
    cpSync(src, join(tmp, "devnet"), {
      recursive: true,
      filter: (path) => !isRunFile(relative(src, path)),
    });
    const blockHash = await blockHashAt(from, BigInt(b.height));
    if (wasRunning.some(Boolean)) {
      o.onProgress?.("starting the nodes again");
      await Promise.all(d.nodes.map((n, i) => (wasRunning[i] ? provider.start(d, n) : undefined)));
      writeDevnet(home, d);
      const running = d.nodes.filter((_, i) => wasRunning[i]);
      await waitForHeight({ ...d, nodes: running }, BigInt(b.height) + 1n, 60_000, provider);
    }
    const info: SnapshotInfo = {
      version: 1,
      name,
      devnet: d.name,
      chainId: d.chainId,
      provider: d.provider,
      height: b.height,
      blockHash,
      createdAt: new Date().toISOString(),
      nodes: d.nodes.map((n) => n.name),
      from: from.name,
      bytes: readFileSync(join(tmp, "chain.fpbak")).length,
    };
    writeFileAtomicSync(join(tmp, "snapshot.json"), `${JSON.stringify(info, null, 2)}\n`, 0o644);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return info;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export function readSnapshot(home: string, name: string): SnapshotInfo {
  checkName(name);
  const file = join(snapshotsDir(home), name, "snapshot.json");
  if (!existsSync(file))
    throw new SnapshotError(
      { code: "SNAPSHOT_NOT_FOUND", name, hint: "see `fastpos devnet snapshot list`" },
      `no snapshot named "${name}"`,
    );
  return JSON.parse(readFileSync(file, "utf8")) as SnapshotInfo;
}

export function listSnapshots(home: string): SnapshotInfo[] {
  const dir = snapshotsDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, "snapshot.json")))
    .sort()
    .map((n) => readSnapshot(home, n));
}

export function removeSnapshot(home: string, name: string): SnapshotInfo {
  const info = readSnapshot(home, name);
  rmSync(join(snapshotsDir(home), name), { recursive: true, force: true });
  return info;
}

export interface LoadResult {
  snapshot: SnapshotInfo;
  devnet: DevnetFile;
  /** The height the devnet reached after starting again (≥ the saved one + 1). */
  height: string;
}

export async function loadSnapshot(
  home: string,
  name: string,
  o: {
    devnet?: string | undefined;
    force?: boolean;
    timeoutMs?: number;
    onProgress?: (m: string) => void;
  } = {},
): Promise<LoadResult> {
  const info = readSnapshot(home, name);
  const target = o.devnet ?? info.devnet;
  const existing = listDevnets(home).find((x) => x.name === target);
  if (existing) {
    const running = devnetRunning(existing);
    if (!o.force)
      throw new SnapshotError(
        {
          code: "SNAPSHOT_TARGET_EXISTS",
          devnet: target,
          running,
          hint: `pass --force to take it down and replace it, or load under another name with --devnet NAME`,
        },
        `devnet "${target}" ${running ? "is running" : "exists"}; loading would replace it`,
      );
    o.onProgress?.(`taking devnet ${target} down`);
    await devnetDown(home, existing, false);
  }
  const dir = devnetDir(home, target);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(snapshotsDir(home), name, "devnet"), dir, { recursive: true });
  const d = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8")) as DevnetFile;
  d.name = target;
  const ports = await freePorts(d.nodes.length * 2);
  const provider = await providerFor(d);
  writeDevnet(home, d);
  d.nodes.forEach((n, i) => {
    n.home = join(dir, n.name);
    n.logFile = join(n.home, "logs", "stdout.log");
    n.pid = null;
    if (n.container !== undefined) n.container = null;
    n.p2pUrl = `ws://127.0.0.1:${ports[2 * i]}`;
    n.apiUrl = `http://127.0.0.1:${ports[2 * i + 1]}`;
  });
  const chain = join(snapshotsDir(home), name, "chain.fpbak");
  for (const n of d.nodes) {
    rewriteNetwork(
      n,
      provider.network(
        d,
        n,
        d.nodes.filter((x) => x !== n),
      ),
    );
    o.onProgress?.(`restoring ${n.name}`);
    // The node's own saved signer state is the one it keeps (the backup's belongs to `info.from`).
    await restoreHome(n.home, chain, {
      force: true,
      forceOldSignerState: true,
      ignoreBackupSigner: true,
      keepWal: true,
    });
  }
  writeDevnet(home, d);
  o.onProgress?.(`starting ${d.nodes.length} nodes at height ${info.height}`);
  await Promise.all(
    d.nodes.map(async (n) => {
      await provider.start(d, n);
      writeDevnet(home, d);
    }),
  );
  const reached = await waitForHeight(d, BigInt(info.height) + 1n, o.timeoutMs ?? 60_000, provider);
  return { snapshot: info, devnet: readDevnet(home, target), height: String(reached) };
}

/** Points a loaded node's config.yaml at its new ports and peers. */
function rewriteNetwork(n: DevnetNode, net: { p2pListen: string; apiListen: string; peers: string[] }): void {
  const file = join(n.home, "config.yaml");
  const cfg = (parseYaml(readFileSync(file, "utf8")) ?? {}) as Record<string, Record<string, unknown>>;
  cfg.p2p = { ...(cfg.p2p ?? {}), listen: net.p2pListen, peers: net.peers };
  cfg.api = { ...(cfg.api ?? {}), listen: net.apiListen };
  writeFileAtomicSync(
    file,
    `# fastpos node config; see templates/config.yaml for every key\n${stringifyYaml(cfg)}`,
    0o644,
  );
}
