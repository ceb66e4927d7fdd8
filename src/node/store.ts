/**
 * Node storage over LevelDB (DESIGN.md §5). Everything a committed block changes — the block, its commit,
 * its tx index entries, the state changes and the new height — goes into ONE atomic batch, so a crash
 * leaves the store at the previous height or the next, never between.
 *
 * The store deals in encoded bytes; the node encodes with the canonical codec. Keys are
 * `prefix-byte ‖ fixed-width key`, so heights iterate in order.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Level } from "level";
import { FastposError } from "../core/errors.js";

const P = {
  meta: 0x01,
  blockByHeight: 0x02,
  heightByHash: 0x03,
  commit: 0x04,
  tx: 0x05,
  state: 0x06,
} as const;

export type StoreErrorType =
  | { code: "STORE_LOCKED"; path: string; pid: number | null; hint: string }
  | { code: "STORE_OPEN_FAILED"; path: string; reason: string; hint: string }
  | { code: "STORE_HEIGHT_GAP"; expected: string; got: string }
  | { code: "STORE_CORRUPT"; path: string; reason: string; hint: string }
  | { code: "STORE_NOT_EMPTY"; path: string };
export class StoreError extends FastposError<StoreErrorType> {}

/** One committed block, ready to write. */
export interface CommittedBlock {
  height: bigint;
  hash: Uint8Array;
  block: Uint8Array;
  /** The >2/3 precommits that decided this block (the next block's lastCommit repeats them). */
  commit: Uint8Array;
  txs: { hash: Uint8Array; index: number }[];
  /** State changes: value null deletes the key. */
  state: { key: Uint8Array; value: Uint8Array | null }[];
  /** Extra meta entries to set atomically with the block (e.g. the state root, validator sets). */
  meta?: Record<string, Uint8Array>;
}

function key(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let n = 1;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  out[0] = prefix;
  let o = 1;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
}

function readU64(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0);
}

const utf8 = new TextEncoder();

function openError(path: string, err: unknown): StoreError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.message ?? (err as Error)?.message ?? String(err);
  if (cause?.code === "LEVEL_LOCKED" || /temporarily unavailable|already held/i.test(reason)) {
    const pid = lockHolder(join(path, "LOCK"));
    const who = pid === null ? "another fastpos process" : `another fastpos process (pid ${pid}?)`;
    return new StoreError(
      {
        code: "STORE_LOCKED",
        path,
        pid,
        hint: `only one process may open a node's database: stop the node already running on this home${pid === null ? "" : ` (\`kill ${pid}\`)`}, or start this one with another --home`,
      },
      `the database ${path} is in use by ${who}`,
      { cause: err },
    );
  }
  return new StoreError(
    {
      code: "STORE_OPEN_FAILED",
      path,
      reason,
      hint: `check that ${path} is readable and writable and the disk has room; if LevelDB reports corruption, restore it from a backup or remove it to sync again from peers (keep the signer state beside it in data/)`,
    },
    `cannot open the database ${path}: ${reason}`,
    { cause: err },
  );
}

/** The hint of every corrupted-database error: the recovery procedures in docs/operations.md. */
export const CORRUPT_HINT =
  "stop the node and restore the database from a backup (`fastpos node restore --in FILE --home HOME --force`), or move data/db away and sync again from peers; keep data/signer-state.json (docs/operations.md)";

/**
 * LevelDB reports damage it finds while reading (a bad block checksum, a missing table file) as
 * LEVEL_CORRUPTION or LEVEL_IO_ERROR: those become STORE_CORRUPT, a user-facing error with the recovery
 * hint, never a stack trace (issue 17). Anything else is rethrown unchanged.
 */
function readError(path: string, err: unknown): unknown {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const reason = e?.cause?.message ?? e?.message ?? String(err);
  if (code !== "LEVEL_CORRUPTION" && code !== "LEVEL_IO_ERROR" && !/corrupt/i.test(reason)) return err;
  return new StoreError(
    { code: "STORE_CORRUPT", path, reason, hint: CORRUPT_HINT },
    `the database ${path} is corrupted: ${reason}`,
    { cause: err },
  );
}

/**
 * The pid holding the POSIX lock on `lockFile` (LevelDB's LOCK), from Linux's /proc/locks; null when it
 * cannot be told (another OS, no entry). Best effort, for the error message only.
 */
function lockHolder(lockFile: string): number | null {
  try {
    const st = statSync(lockFile, { bigint: true });
    const dev = st.dev;
    // glibc's dev_t encoding → the MAJOR:MINOR (hex) that /proc/locks prints.
    const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
    const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
    for (const line of readFileSync("/proc/locks", "utf8").split("\n")) {
      const f = line.trim().split(/\s+/);
      // "1: POSIX  ADVISORY  WRITE 9664 fe:00:2146520 0 EOF"
      const [maj, min, ino] = (f[5] ?? "").split(":");
      if (ino === undefined || BigInt(ino) !== st.ino) continue;
      if (BigInt(`0x${maj}`) !== major || BigInt(`0x${min}`) !== minor) continue;
      const pid = Number(f[4]);
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
  } catch {}
  return null;
}

export interface Store {
  /** Height of the last committed block (0 before the first). */
  height(): Promise<bigint>;
  commitBlock(b: CommittedBlock): Promise<void>;
  blockByHeight(h: bigint): Promise<Uint8Array | undefined>;
  heightByHash(hash: Uint8Array): Promise<bigint | undefined>;
  commitAt(h: bigint): Promise<Uint8Array | undefined>;
  txLocation(hash: Uint8Array): Promise<{ height: bigint; index: number } | undefined>;
  /** All state entries (to rebuild the in-memory state at start-up). */
  stateEntries(): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** Writes the genesis state (height 0) in one batch; only valid on an empty store. */
  initState(entries: Iterable<[Uint8Array, Uint8Array]>, meta: Record<string, Uint8Array>): Promise<void>;
  getMeta(name: string): Promise<Uint8Array | undefined>;
  /**
   * Every entry of the database (raw keys, prefix byte included) from ONE LevelDB iterator: its implicit
   * snapshot makes the dump consistent at one height while blocks keep being committed (backups, issue 17).
   * @throws StoreError STORE_CORRUPT when LevelDB finds damage on the way
   */
  dumpEntries(): AsyncIterable<[Uint8Array, Uint8Array]>;
  /**
   * Writes raw entries (from `dumpEntries`) in one batch; only into a store that was empty when opened
   * (a restore builds a new database this way). @throws StoreError STORE_NOT_EMPTY
   */
  importEntries(entries: [Uint8Array, Uint8Array][]): Promise<void>;
  /**
   * Writes a state-synced snapshot into a store still at height 0 in one batch (replacing the genesis state): the snapshot height's block and
   * commit, the state entries, the meta entries, and that height — the store then looks like one that
   * committed up to it, without the blocks before (issue 17). @throws StoreError STORE_NOT_EMPTY
   */
  importSnapshot(s: {
    height: bigint;
    hash: Uint8Array;
    block: Uint8Array;
    commit: Uint8Array;
    state: Iterable<[Uint8Array, Uint8Array]>;
    meta: Record<string, Uint8Array>;
  }): Promise<void>;
  /**
   * Deletes blocks `from`..`below - 1` with their commits, hash index and tx index entries, in one batch
   * (`pruning.keepBlocks`, issue 17); `describe` tells the hash and tx hashes of a block's bytes. The
   * state and the blocks from `below` on are untouched. Resolves to the number of blocks deleted.
   */
  pruneBlocks(
    from: bigint,
    below: bigint,
    describe: (block: Uint8Array) => { hash: Uint8Array; txs: Uint8Array[] },
  ): Promise<number>;
  /** Reloads the height after `importEntries` (the import may have set it). */
  reloadHeight(): Promise<bigint>;
  putMeta(name: string, value: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens (creating) the store at `path`.
 * @throws StoreError STORE_LOCKED when another process has the database open (CLI commands must use the
 *   API while a node runs, DESIGN.md §5), with that process's pid when the kernel's lock table names it;
 *   STORE_OPEN_FAILED with LevelDB's own reason (corruption, permissions, a full disk) for any other
 *   failure — "Database failed to open" alone hides the cause from the operator (issue 24 item 9).
 */
export async function openStore(path: string): Promise<Store> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
  try {
    await db.open();
  } catch (err) {
    throw openError(path, err);
  }
  // classic-level hands back Buffers; callers get plain Uint8Arrays (same bytes, no Buffer semantics).
  const plain = (v: Uint8Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const get = async (k: Uint8Array) => {
    let v: Uint8Array | undefined;
    try {
      v = await db.get(k);
    } catch (err) {
      throw readError(path, err);
    }
    return v === undefined ? undefined : plain(v);
  };
  let height = 0n;
  const readHeight = async () => {
    const h = await get(key(P.meta, utf8.encode("height")));
    height = h ? readU64(h) : 0n;
    return height;
  };
  try {
    await readHeight();
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  let empty: boolean | undefined;

  return {
    height: async () => height,
    async commitBlock(b) {
      if (b.height !== height + 1n) {
        throw new StoreError(
          { code: "STORE_HEIGHT_GAP", expected: String(height + 1n), got: String(b.height) },
          `cannot store block ${b.height}: the store is at height ${height}`,
        );
      }
      const hb = u64(b.height);
      const batch = db.batch();
      batch.put(key(P.blockByHeight, hb), b.block);
      batch.put(key(P.heightByHash, b.hash), hb);
      batch.put(key(P.commit, hb), b.commit);
      // PERF: the per-tx and per-change keys and values are small; handed to LevelDB one by one, each small
      // (on-heap) array was first moved off-heap by V8. They are written into one off-heap arena instead and
      // passed as views of it (LevelDB copies them into its batch at once).
      let size = 0;
      for (const tx of b.txs) size += 1 + tx.hash.length + 12;
      for (const c of b.state) size += 1 + c.key.length + (c.value?.length ?? 0);
      const arena = Buffer.allocUnsafeSlow(size);
      let at = 0;
      const take = (n: number) => {
        const view = arena.subarray(at, at + n);
        at += n;
        return view;
      };
      const prefixed = (prefix: number, k: Uint8Array) => {
        const out = take(1 + k.length);
        out[0] = prefix;
        out.set(k, 1);
        return out;
      };
      for (const tx of b.txs) {
        const k = prefixed(P.tx, tx.hash);
        const loc = take(12);
        loc.set(hb, 0);
        loc.writeUInt32BE(tx.index, 8);
        batch.put(k, loc);
      }
      for (const c of b.state) {
        const k = prefixed(P.state, c.key);
        if (c.value === null) batch.del(k);
        else {
          const v = take(c.value.length);
          v.set(c.value);
          batch.put(k, v);
        }
      }
      for (const [name, value] of Object.entries(b.meta ?? {}))
        batch.put(key(P.meta, utf8.encode(name)), value);
      batch.put(key(P.meta, utf8.encode("height")), hb);
      await batch.write({ sync: true });
      height = b.height;
    },
    blockByHeight: (hh) => get(key(P.blockByHeight, u64(hh))),
    async heightByHash(hash) {
      const v = await get(key(P.heightByHash, hash));
      return v ? readU64(v) : undefined;
    },
    commitAt: (hh) => get(key(P.commit, u64(hh))),
    async txLocation(hash) {
      const v = await get(key(P.tx, hash));
      if (!v) return undefined;
      return { height: readU64(v.subarray(0, 8)), index: new DataView(v.buffer, v.byteOffset).getUint32(8) };
    },
    async *stateEntries() {
      try {
        for await (const [k, v] of db.iterator({ gte: key(P.state), lt: key(P.state + 1) })) {
          yield [plain(k.subarray(1)), plain(v)];
        }
      } catch (err) {
        throw readError(path, err);
      }
    },
    async *dumpEntries() {
      try {
        for await (const [k, v] of db.iterator()) yield [plain(k), plain(v)];
      } catch (err) {
        throw readError(path, err);
      }
    },
    async importEntries(entries) {
      if (empty === undefined) {
        empty = true;
        for await (const _ of db.keys({ limit: 1 })) empty = false;
      }
      if (!empty)
        throw new StoreError(
          { code: "STORE_NOT_EMPTY", path },
          `cannot import into ${path}: it already holds data`,
        );
      const batch = db.batch();
      for (const [k, v] of entries) batch.put(k, v);
      await batch.write({ sync: true });
    },
    reloadHeight: readHeight,
    async pruneBlocks(from, below, describe) {
      const batch = db.batch();
      let n = 0;
      for (let h = from; h < below; h++) {
        const hb = u64(h);
        const block = await get(key(P.blockByHeight, hb));
        if (!block) continue;
        const d = describe(block);
        batch.del(key(P.blockByHeight, hb));
        batch.del(key(P.heightByHash, d.hash));
        batch.del(key(P.commit, hb));
        for (const t of d.txs) batch.del(key(P.tx, t));
        n++;
      }
      batch.put(key(P.meta, utf8.encode("prunedBelow")), u64(below));
      await batch.write({ sync: true });
      return n;
    },
    async importSnapshot(snap) {
      if (height !== 0n)
        throw new StoreError(
          { code: "STORE_NOT_EMPTY", path },
          `cannot state-sync into ${path}: it holds blocks`,
        );
      const hb = u64(snap.height);
      const batch = db.batch();
      // The genesis state a first start wrote is replaced by the snapshot's, in the same batch.
      for await (const k of db.keys({ gte: key(P.state), lt: key(P.state + 1) })) batch.del(k);
      batch.put(key(P.blockByHeight, hb), snap.block);
      batch.put(key(P.heightByHash, snap.hash), hb);
      batch.put(key(P.commit, hb), snap.commit);
      for (const [k, v] of snap.state) batch.put(key(P.state, k), v);
      for (const [name, value] of Object.entries(snap.meta)) batch.put(key(P.meta, utf8.encode(name)), value);
      batch.put(key(P.meta, utf8.encode("height")), hb);
      await batch.write({ sync: true });
      height = snap.height;
    },
    async initState(entries, meta) {
      const batch = db.batch();
      for (const [k, v] of entries) batch.put(key(P.state, k), v);
      for (const [name, value] of Object.entries(meta)) batch.put(key(P.meta, utf8.encode(name)), value);
      await batch.write({ sync: true });
    },
    getMeta: (name) => get(key(P.meta, utf8.encode(name))),
    putMeta: (name, value) => db.put(key(P.meta, utf8.encode(name)), value, { sync: true }),
    close: () => db.close(),
  };
}

const HEIGHT_KEY = key(P.meta, utf8.encode("height"));

/** The committed height a dumped entry records, when `k` is the store's height key (else undefined). */
export function heightOfDumpEntry(k: Uint8Array, v: Uint8Array): bigint | undefined {
  if (k.length !== HEIGHT_KEY.length || v.length !== 8) return undefined;
  for (let i = 0; i < k.length; i++) if (k[i] !== HEIGHT_KEY[i]) return undefined;
  return readU64(v);
}
