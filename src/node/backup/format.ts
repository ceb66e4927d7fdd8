/**
 * The node backup file (issue 17, docs/operations.md): a gzip stream of
 *
 *   "FPBACKUP" ‖ u8 version ‖ u32 len ‖ header JSON
 *   { u8 1 ‖ u32 len ‖ key ‖ u32 len ‖ value }*          database entries (raw keys, one LevelDB snapshot)
 *   { u8 2 ‖ u16 len ‖ name ‖ u32 len ‖ bytes }*         side files (the signer state)
 *   u8 0 ‖ u32 len ‖ trailer JSON ‖ SHA-256(everything before these 32 bytes)
 *
 * The digest covers every byte, so a truncated, bit-flipped or spliced file is refused before anything is
 * written (gzip's own CRC would catch only some of that, and only at the very end). Binary, not JSON, so a
 * large state streams in constant memory; the two JSON documents are small and for humans.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { FastposError } from "../../core/errors.js";

const MAGIC = new TextEncoder().encode("FPBACKUP");
const VERSION = 1;
const TAG = { end: 0, entry: 1, file: 2 } as const;
/** Largest key, value or side file a backup may hold (a block is at most 8 MiB on the wire). */
const MAX_ITEM = 64 << 20;

export interface BackupHeader {
  chainId: string;
  genesisHash: string;
  createdAt: string;
  /** `api`: written by a running node; `db`: read from a stopped node's database. */
  source: "api" | "db";
}

export interface BackupTrailer {
  entries: number;
  /** The committed height the database entries are at. */
  height: string;
}

export type BackupErrorType =
  | { code: "BACKUP_CORRUPT"; file: string; reason: string; hint: string }
  | { code: "BACKUP_MISMATCH"; file: string; reason: string; hint: string };
export class BackupError extends FastposError<BackupErrorType> {}

export interface BackupContent {
  header: BackupHeader;
  entries: AsyncIterable<[Uint8Array, Uint8Array]>;
  /** Side files by name, read after the entries (so the signer state is at least as new as them). */
  files: () => Promise<Record<string, Uint8Array>>;
  /** The trailer, once the entries were all read. */
  trailer: (entries: number) => BackupTrailer;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/** Writes `content` to `file` (gzip); resolves to the trailer written. */
export async function writeBackup(file: string, content: BackupContent): Promise<BackupTrailer> {
  const digest = createHash("sha256");
  let trailer: BackupTrailer | undefined;
  async function* frames(): AsyncGenerator<Uint8Array> {
    const out = (b: Uint8Array) => {
      digest.update(b);
      return b;
    };
    const header = new TextEncoder().encode(JSON.stringify(content.header));
    yield out(Buffer.concat([MAGIC, Uint8Array.of(VERSION), u32(header.length), header]));
    let n = 0;
    let batch: Uint8Array[] = [];
    let size = 0;
    for await (const [k, v] of content.entries) {
      batch.push(Uint8Array.of(TAG.entry), u32(k.length), k, u32(v.length), v);
      size += 9 + k.length + v.length;
      n++;
      if (size >= 256 << 10) {
        yield out(Buffer.concat(batch));
        batch = [];
        size = 0;
      }
    }
    if (batch.length) yield out(Buffer.concat(batch));
    const files = await content.files();
    for (const [name, data] of Object.entries(files)) {
      const nb = new TextEncoder().encode(name);
      const len = new Uint8Array(2);
      new DataView(len.buffer).setUint16(0, nb.length);
      yield out(Buffer.concat([Uint8Array.of(TAG.file), len, nb, u32(data.length), data]));
    }
    trailer = content.trailer(n);
    const t = new TextEncoder().encode(JSON.stringify(trailer));
    yield out(Buffer.concat([Uint8Array.of(TAG.end), u32(t.length), t]));
    yield digest.digest();
  }
  await pipeline(frames, createGzip({ level: 6 }), createWriteStream(file, { mode: 0o600 }));
  return trailer as BackupTrailer;
}

/** What a backup holds, as the reader meets it. */
export type BackupItem =
  | { kind: "header"; header: BackupHeader }
  | { kind: "entries"; entries: [Uint8Array, Uint8Array][] }
  | { kind: "file"; name: string; data: Uint8Array }
  | { kind: "end"; trailer: BackupTrailer };

/** A byte reader over a stream of chunks that hashes what it consumes. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    private readonly digest: Hash,
  ) {}
  async take(n: number, hash = true): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.chunks.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    if (this.buf.length < n) throw new Error("the file ends early (truncated)");
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    if (hash) this.digest.update(out);
    return out;
  }
  async u32(): Promise<number> {
    return (await this.take(4)).readUInt32BE(0);
  }
  async atEnd(): Promise<boolean> {
    if (this.buf.length) return false;
    const r = await this.chunks.next();
    if (r.done) return true;
    this.buf = r.value;
    return this.buf.length === 0 && this.atEnd();
  }
}

function corrupt(file: string, reason: string, cause?: unknown): BackupError {
  return new BackupError(
    {
      code: "BACKUP_CORRUPT",
      file,
      reason,
      hint: "the backup file is damaged or not a fastpos backup: use another copy (nothing was changed)",
    },
    `${file} is not a valid fastpos backup: ${reason}`,
    { cause },
  );
}

/**
 * Reads a backup, yielding its parts in order. The digest is checked at the end: a consumer must not make
 * anything it wrote permanent before the generator finished without throwing.
 * @throws BackupError BACKUP_CORRUPT (bad magic, truncation, bad digest, oversized item)
 */
export async function* readBackup(file: string): AsyncGenerator<BackupItem> {
  const digest = createHash("sha256");
  const gunzip = createReadStream(file).pipe(createGunzip());
  const r = new Reader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>, digest);
  try {
    const head = await r.take(MAGIC.length + 1);
    if (!Buffer.from(MAGIC).equals(head.subarray(0, MAGIC.length))) throw new Error("bad magic");
    if (head[MAGIC.length] !== VERSION) throw new Error(`unknown version ${head[MAGIC.length]}`);
    const header = JSON.parse((await r.take(await bounded(r))).toString("utf8")) as BackupHeader;
    yield { kind: "header", header };
    let batch: [Uint8Array, Uint8Array][] = [];
    for (;;) {
      const tag = (await r.take(1))[0];
      if (tag !== TAG.entry && batch.length) {
        yield { kind: "entries", entries: batch };
        batch = [];
      }
      if (tag === TAG.entry) {
        const k = new Uint8Array(await r.take(await bounded(r)));
        const v = new Uint8Array(await r.take(await bounded(r)));
        batch.push([k, v]);
        if (batch.length >= 4096) {
          yield { kind: "entries", entries: batch };
          batch = [];
        }
      } else if (tag === TAG.file) {
        const name = (await r.take((await r.take(2)).readUInt16BE(0))).toString("utf8");
        yield { kind: "file", name, data: new Uint8Array(await r.take(await bounded(r))) };
      } else if (tag === TAG.end) {
        const trailer = JSON.parse((await r.take(await bounded(r))).toString("utf8")) as BackupTrailer;
        const expected = digest.digest();
        const got = await r.take(32, false);
        if (!expected.equals(got)) throw new Error("checksum mismatch");
        if (!(await r.atEnd())) throw new Error("data after the end");
        yield { kind: "end", trailer };
        return;
      } else throw new Error(`unknown record tag ${tag}`);
    }
  } catch (err) {
    if (err instanceof BackupError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT" || e.code === "EACCES" || e.code === "EISDIR") throw err;
    throw corrupt(file, e.code?.startsWith("Z_") ? "not gzip data or damaged" : e.message, err);
  } finally {
    gunzip.destroy();
  }
}

async function bounded(r: Reader): Promise<number> {
  const n = await r.u32();
  if (n > MAX_ITEM) throw new Error(`an item of ${n} bytes is larger than any backup holds`);
  return n;
}
