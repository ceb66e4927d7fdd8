/**
 * Writing a backup of a node's database (issue 17): from the running node (admin API, `node-job.ts`) or
 * from a stopped node's home (`home-backup.ts`). Both go through `dumpStore`, so the file is the same.
 */
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { toHex } from "../../core/codec/index.js";
import { SIGNER_STATE_FILE } from "../signer.js";
import { heightOfDumpEntry, type Store } from "../store.js";
import { type BackupHeader, type BackupTrailer, writeBackup } from "./format.js";

/** Side files a backup carries from `<home>/data` (never keys: they are secrets and are backed up apart). */
export const BACKUP_SIDE_FILES = [SIGNER_STATE_FILE] as const;

/**
 * Dumps `store` (one LevelDB snapshot: consistent at one height even while blocks are committed) and the
 * signer state of `dataDir` — read AFTER the entries, so it is at least as new as the height they hold —
 * into `file`, through a temporary file renamed at the end (a failed backup leaves no half file).
 * @throws StoreError STORE_CORRUPT when the database is damaged
 */
export async function dumpStore(
  store: Pick<Store, "dumpEntries">,
  dataDir: string,
  file: string,
  meta: { chainId: string; genesisHash: Uint8Array; source: BackupHeader["source"]; now: Date },
): Promise<BackupTrailer> {
  let height = 0n;
  async function* entries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const [k, v] of store.dumpEntries()) {
      height = heightOfDumpEntry(k, v) ?? height;
      yield [k, v];
    }
  }
  const tmp = `${file}.partial`;
  try {
    const trailer = await writeBackup(tmp, {
      header: {
        chainId: meta.chainId,
        genesisHash: toHex(meta.genesisHash),
        createdAt: meta.now.toISOString(),
        source: meta.source,
      },
      entries: entries(),
      files: async () => {
        const out: Record<string, Uint8Array> = {};
        for (const name of BACKUP_SIDE_FILES) {
          const p = join(dataDir, name);
          if (existsSync(p)) out[name] = new Uint8Array(readFileSync(p));
        }
        return out;
      },
      trailer: (n) => ({ entries: n, height: String(height) }),
    });
    renameSync(tmp, file);
    return trailer;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
