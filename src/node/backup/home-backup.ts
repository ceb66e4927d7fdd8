/**
 * `fastpos node backup --home H --out FILE` (issue 17). A stopped node's database is read directly (after
 * checking that its state matches its last block's stateRoot: a backup of a damaged database is refused,
 * not written). A running node holds the database (DESIGN.md §5: one process per DB), so it is asked
 * through its admin API to write the backup itself, from one LevelDB snapshot, while it keeps committing.
 */
import { copyFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BackupJobJson } from "../../core/api/contract.js";
import { hashGenesis } from "../../core/chain/genesis.js";
import { FastposError, isFastposError } from "../../core/errors.js";
import { loadChainState } from "../chain-state.js";
import { loadConfig } from "../config.js";
import { assertNodeHome, loadGenesisFile, readAdminToken } from "../home.js";
import { openStore } from "../store.js";
import { dumpStore } from "./dump.js";

export interface BackupResult {
  file: string;
  height: string;
  entries: number | null;
  /** `db`: read from the stopped node's database; `api`: written by the running node. */
  source: "db" | "api";
}

export type HomeBackupErrorType =
  | { code: "BACKUP_EMPTY"; home: string; hint: string }
  | { code: "BACKUP_FAILED"; home: string; reason: string; hint: string };
export class HomeBackupError extends FastposError<HomeBackupErrorType> {}

export async function backupHome(
  home: string,
  out: string,
  o: { now?: Date; timeoutMs?: number; onProgress?: (m: string) => void } = {},
): Promise<BackupResult> {
  assertNodeHome(home);
  const config = loadConfig(home);
  const genesis = loadGenesisFile(join(home, config.genesis));
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(join(home, "data", "db"));
  } catch (err) {
    if (!isFastposError(err, "STORE_LOCKED")) throw err;
    o.onProgress?.("the node is running: asking it to write the backup");
    return backupThroughApi(home, config.api.listen, out, o.timeoutMs ?? 600_000);
  }
  try {
    if (!(await store.getMeta("genesisHash")))
      throw new HomeBackupError(
        { code: "BACKUP_EMPTY", home, hint: "start the node once (or restore a backup) first" },
        `${home} has no database to back up`,
      );
    // SECURITY: refuses to copy a database whose state does not match its last block (a corrupt backup
    // found only at restore time, when it is needed, is the worst moment to learn of it).
    await loadChainState(store, genesis);
    o.onProgress?.("writing the backup");
    const t = await dumpStore(store, join(home, "data"), out, {
      chainId: genesis.chainId,
      genesisHash: hashGenesis(genesis),
      source: "db",
      now: o.now ?? new Date(),
    });
    return { file: out, height: t.height, entries: t.entries, source: "db" };
  } finally {
    await store.close();
  }
}

async function backupThroughApi(
  home: string,
  listen: string,
  out: string,
  timeoutMs: number,
): Promise<BackupResult> {
  const url = `http://${listen.replace(/^0\.0\.0\.0:/, "127.0.0.1:")}`;
  const headers = { authorization: `Bearer ${readAdminToken(home)}` };
  let job = await request<BackupJobJson>(url, "POST", "/admin/backup", {}, { headers });
  const end = Date.now() + timeoutMs;
  while (job.state === "running") {
    if (Date.now() > end)
      throw new FastposError(
        { code: "TIMEOUT" },
        `the node did not finish the backup within ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 100));
    job = await request<BackupJobJson>(url, "GET", "/admin/backup", undefined, { headers });
  }
  if (job.state === "failed")
    throw new HomeBackupError(
      {
        code: "BACKUP_FAILED",
        home,
        reason: job.error ?? "unknown",
        hint: "see the node's log; a corrupted database must be restored (docs/operations.md)",
      },
      `the node could not write the backup: ${job.error ?? "unknown reason"}`,
    );
  const written = join(home, "data", "backups", job.file);
  moveFile(written, out);
  return { file: out, height: job.height ?? "0", entries: null, source: "api" };
}

/** One admin API call to the node on this home (node/ sits below client/, so a plain fetch). */
async function request<T>(
  url: string,
  method: string,
  path: string,
  body: unknown,
  opts: { headers: Record<string, string> },
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { ...opts.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new FastposError(
      { code: "NODE_UNREACHABLE", url },
      `the node's database is locked but its API at ${url} does not answer`,
      { cause: err },
    );
  }
  const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok)
    throw new FastposError(
      { code: json?.error?.code ?? `HTTP_${res.status}`, url },
      `the node refused the backup: ${json?.error?.message ?? res.status}`,
    );
  return json as T;
}

/** Renames, or copies then removes across file systems. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}
