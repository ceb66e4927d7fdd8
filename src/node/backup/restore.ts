/**
 * `fastpos node restore --in FILE --home H` (issue 17, docs/operations.md "Restore").
 *
 * The backup is checked completely before anything in the home changes: it is imported into a fresh
 * database beside the live one (`data/db.restoring`), its digest verified, its chain matched against the
 * home's genesis and its state checked against the last block's stateRoot. Only then is the old database
 * moved aside (`data/db.replaced-<time>`, never deleted) and the new one put in its place.
 *
 * SECURITY (signer safety): a validator must never sign again at a height/round it signed before. The
 * signer state kept is the NEWEST of the home's and the backup's. A validator home with no signer state
 * of its own (a lost disk) has only the backup's, which is older than whatever it signed after the backup
 * was taken: the restore is refused unless `forceOldSignerState` says the operator knows it did not sign
 * since (or that the chain is past every height it could have signed).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { hashGenesis } from "../../core/chain/genesis.js";
import { toHex } from "../../core/codec/index.js";
import { FastposError, isFastposError } from "../../core/errors.js";
import { writeFileAtomicSync } from "../../keystore/fs-atomic.js";
import { loadChainState } from "../chain-state.js";
import { loadConfig } from "../config.js";
import { assertNodeHome, loadGenesisFile } from "../home.js";
import { compareSignerState, readSignerState, SIGNER_STATE_FILE } from "../signer.js";
import { openStore } from "../store.js";
import { BackupError, readBackup } from "./format.js";
import { parseSignerState, type SignerPosition, signerText } from "./signer-state.js";

export type RestoreErrorType =
  | { code: "RESTORE_TARGET_EXISTS"; db: string; hint: string }
  | { code: "RESTORE_SIGNER_STATE_MISSING"; home: string; backupSigner: string | null; hint: string };
export class RestoreError extends FastposError<RestoreErrorType> {}

export interface RestoreOptions {
  /** Replace an existing database (it is moved aside, not deleted). */
  force?: boolean;
  /** Accept the backup's (older) signer state on a validator home that has none. */
  forceOldSignerState?: boolean;
  /**
   * Never take the backup's signer state (a devnet snapshot restores one node's database into every node's
   * home: that signer state belongs to another validator).
   */
  ignoreBackupSigner?: boolean;
  /**
   * Keep `data/consensus.wal` (a devnet snapshot saved it with the signer state: a validator one height
   * past the database re-sends what it signed there instead of being unable to sign that height again).
   */
  keepWal?: boolean;
  now?: Date;
}

export interface RestoreResult {
  home: string;
  height: string;
  entries: number;
  /** Which signer state the home has now. */
  signer: "home" | "backup" | "none";
  signerAt: string | null;
  /** Where the replaced database was moved, if there was one. */
  replaced: string | null;
}

export async function restoreHome(
  home: string,
  file: string,
  o: RestoreOptions = {},
): Promise<RestoreResult> {
  assertNodeHome(home);
  const config = loadConfig(home);
  const genesis = loadGenesisFile(join(home, config.genesis));
  const dataDir = join(home, "data");
  const dbDir = join(dataDir, "db");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const hasDb = existsSync(dbDir) && readdirSync(dbDir).length > 0;
  if (hasDb) {
    // Fails with STORE_LOCKED (naming the pid) while the node runs: never restore under a live node. A
    // database too damaged to open is what a restore is for: that is not an error here.
    try {
      await (await openStore(dbDir)).close();
    } catch (err) {
      if (!isFastposError(err, "STORE_CORRUPT", "STORE_OPEN_FAILED")) throw err;
    }
    if (!o.force)
      throw new RestoreError(
        {
          code: "RESTORE_TARGET_EXISTS",
          db: dbDir,
          hint: "pass --force to replace it (the current database is moved aside to data/db.replaced-<time>, not deleted)",
        },
        `${dbDir} already holds a database`,
      );
  }
  const homeSigner = readSignerState(join(dataDir, SIGNER_STATE_FILE));
  const tmp = join(dataDir, "db.restoring");
  rmSync(tmp, { recursive: true, force: true });
  const imported = await importBackup(file, tmp, genesis);
  const { height, entries } = imported;
  const backupSigner = o.ignoreBackupSigner ? null : imported.backupSigner;
  try {
    const validator = config.validatorKey !== null;
    let signer: RestoreResult["signer"] = homeSigner ? "home" : "none";
    let signerAt = homeSigner;
    if (backupSigner && (!homeSigner || compareSignerState(backupSigner.at, homeSigner) > 0)) {
      if (!homeSigner && validator && !o.forceOldSignerState) throw missingSigner(home, backupSigner.at);
      signer = "backup";
      signerAt = backupSigner.at;
    } else if (!homeSigner && validator && !o.forceOldSignerState) throw missingSigner(home, null);
    // Everything checked: swap the databases, then the signer state (only ever forwards).
    let replaced: string | null = null;
    if (hasDb) {
      replaced = join(dataDir, `db.replaced-${(o.now ?? new Date()).toISOString().replace(/[:.]/g, "-")}`);
      renameSync(dbDir, replaced);
    } else rmSync(dbDir, { recursive: true, force: true });
    renameSync(tmp, dbDir);
    if (signer === "backup" && backupSigner)
      writeFileAtomicSync(join(dataDir, SIGNER_STATE_FILE), backupSigner.raw);
    // The WAL belongs to the height the old database was at; the signer state alone guards signing.
    if (!o.keepWal) rmSync(join(dataDir, "consensus.wal"), { force: true });
    return { home, height, entries, signer, signerAt: signerAt && signerText(signerAt), replaced };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Imports a backup into a new database at `dir` and verifies it; removes `dir` on any failure. */
async function importBackup(file: string, dir: string, genesis: ReturnType<typeof loadGenesisFile>) {
  const store = await openStore(dir);
  let ok = false;
  try {
    let height = "0";
    let entries = 0;
    let backupSigner: { at: SignerPosition; raw: Uint8Array } | null = null;
    for await (const item of readBackup(file)) {
      if (item.kind === "header") {
        const want = toHex(hashGenesis(genesis));
        if (item.header.chainId !== genesis.chainId || item.header.genesisHash !== want)
          throw mismatch(file, `it is of chain ${item.header.chainId} (genesis ${item.header.genesisHash})`);
      } else if (item.kind === "entries") {
        await store.importEntries(item.entries);
        entries += item.entries.length;
      } else if (item.kind === "file" && item.name === SIGNER_STATE_FILE) {
        backupSigner = { at: parseSignerState(file, item.data), raw: item.data };
      } else if (item.kind === "end") {
        if (item.trailer.entries !== entries) throw mismatch(file, "its entry count does not match");
        height = item.trailer.height;
      }
    }
    await store.reloadHeight();
    // The same check a starting node makes: the state must match the last block's stateRoot.
    await loadChainState(store, genesis);
    ok = true;
    return { height, entries, backupSigner };
  } finally {
    await store.close();
    if (!ok) rmSync(dir, { recursive: true, force: true });
  }
}

function mismatch(file: string, reason: string): BackupError {
  return new BackupError(
    {
      code: "BACKUP_MISMATCH",
      file,
      reason,
      hint: "restore a backup of this node's chain (the home's genesis.json decides which chain it is)",
    },
    `${file} cannot be restored here: ${reason}`,
  );
}

function missingSigner(home: string, at: SignerPosition | null): RestoreError {
  const where = at ? `the backup's is at ${signerText(at)}` : "the backup has none";
  return new RestoreError(
    {
      code: "RESTORE_SIGNER_STATE_MISSING",
      home,
      backupSigner: at && signerText(at),
      hint: `copy the newest ${SIGNER_STATE_FILE} of this validator into ${join(home, "data")} first; pass --force-old-signer-state only if it cannot have signed since the backup (docs/operations.md "Signer safety")`,
    },
    `${home} is a validator with no signer state of its own, and ${where}: it could sign again where it already signed (double-sign)`,
  );
}
