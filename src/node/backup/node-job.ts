/**
 * Backups taken by a running node (`POST /admin/backup`, issue 17). The node writes the file itself into
 * `<home>/data/backups/` — never to a path the request names, so the admin token cannot be turned into a
 * write-anywhere primitive — and the CLI moves it to where the operator asked. One backup at a time; the
 * request returns at once and `GET /admin/backup` reports progress (a large state takes longer than an
 * HTTP request may last).
 */
import { mkdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { BackupJobJson } from "../../core/api/contract.js";
import { isFastposError } from "../../core/errors.js";
import type { Store } from "../store.js";
import { dumpStore } from "./dump.js";

export interface BackupJobsDeps {
  store: Pick<Store, "dumpEntries">;
  dataDir: string;
  chainId: string;
  genesisHash: Uint8Array;
  log: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export function createBackupJobs(deps: BackupJobsDeps) {
  let seq = 0;
  let last: BackupJobJson | null = null;
  return {
    /** Starts a backup unless one is running (then that one is returned). */
    start(): BackupJobJson {
      if (last?.state === "running") return last;
      const dir = join(deps.dataDir, "backups");
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const now = new Date();
      const name = `backup-${now.toISOString().replace(/[:.]/g, "-")}-${++seq}.fpbak`;
      const job: BackupJobJson = { id: String(seq), state: "running", file: name, height: null, bytes: null };
      last = job;
      const source = "api" as const;
      const meta = { chainId: deps.chainId, genesisHash: deps.genesisHash, source, now };
      dumpStore(deps.store, deps.dataDir, join(dir, name), meta).then(
        (t) => {
          Object.assign(job, { state: "done", height: t.height, bytes: statSync(join(dir, name)).size });
          deps.log.info({ file: basename(name), height: t.height, entries: t.entries }, "backup written");
        },
        (err: unknown) => {
          const message = isFastposError(err) ? err.message : String(err);
          Object.assign(job, { state: "failed", error: message });
          deps.log.error({ err: message }, "backup failed");
        },
      );
      return job;
    },
    /** The latest backup's progress (null before the first). */
    status(): BackupJobJson | null {
      return last;
    },
  };
}
