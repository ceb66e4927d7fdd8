/**
 * Consensus write-ahead log (DESIGN.md §4). Each record is `u32 length ‖ u32 crc32(payload) ‖ payload`,
 * big-endian. Consensus inputs are appended as they arrive; the node's own messages are appended with
 * `sync: true` (fsync) before they are used, so a restarted node replays exactly what it had acted on.
 *
 * A torn tail (a crash mid-append: short record or bad checksum) is truncated away on open and reported
 * through `truncatedBytes` and `dropped`; the signer state is a separate file and never truncated.
 *
 * NOTE: reading stops at the first bad record, so a corrupt record drops every record after it — a corrupt
 * FIRST record drops the whole log (issue 24 item 9). That loss is reported, never silent: `dropped` says
 * where and why, and with a `logger` open logs it: at error level when the whole log went or a complete
 * record failed its check (which a crash mid-append does not cause), at warn for a short tail after good
 * records (which it does).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { crc32 } from "node:zlib";

/** See the file header. */
export interface Wal {
  /** Records read at open, in order (the replay input). */
  readonly records: Uint8Array[];
  /** Bytes dropped from a torn tail at open (0 for a clean log). */
  readonly truncatedBytes: number;
  /** What open dropped, or null for a clean log. */
  readonly dropped: WalDropped | null;
  append(payload: Uint8Array, opts?: { sync?: boolean }): void;
  /** Drops every record (after a height is committed, its inputs are no longer needed). */
  reset(): void;
  close(): void;
}

/** What `openWal` truncated away: the first bad record and everything after it. */
export interface WalDropped {
  /** Byte offset of the first bad record (= bytes kept). */
  offset: number;
  /** Bytes dropped (from `offset` to the end of the file). */
  bytes: number;
  /** Good records kept before it (0: the whole log was dropped). */
  keptRecords: number;
  /**
   * `torn-tail`: the record runs past the end of the file (a crash mid-append); `bad-checksum` and
   * `bad-length`: a complete record failed its check (corruption: the disk, or someone else's write).
   */
  reason: "torn-tail" | "bad-checksum" | "bad-length";
}

/** Largest record accepted; a length above it can only be corruption. */
export const MAX_WAL_RECORD = 8 << 20;

/** Where `openWal` reports what it dropped (the node's pino logger fits). */
export interface WalLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function openWal(path: string, opts: { logger?: WalLogger } = {}): Wal {
  const fd = openSync(path, existsSync(path) ? "r+" : "w+", 0o600);
  const { records, goodBytes, totalBytes, reason } = readRecords(fd);
  const dropped: WalDropped | null =
    goodBytes < totalBytes
      ? { offset: goodBytes, bytes: totalBytes - goodBytes, keptRecords: records.length, reason }
      : null;
  if (dropped) {
    ftruncateSync(fd, goodBytes);
    fsyncSync(fd);
    reportDropped(path, dropped, opts.logger);
  }
  let offset = goodBytes;
  const header = Buffer.alloc(8);

  return {
    records,
    truncatedBytes: totalBytes - goodBytes,
    dropped,
    append(payload, opts = {}) {
      if (payload.length > MAX_WAL_RECORD)
        throw new RangeError(`WAL record of ${payload.length} bytes is too large`);
      header.writeUInt32BE(payload.length, 0);
      header.writeUInt32BE(crc32(payload), 4);
      writeSync(fd, header, 0, 8, offset);
      writeSync(fd, payload, 0, payload.length, offset + 8);
      offset += 8 + payload.length;
      if (opts.sync) fsyncSync(fd);
    },
    reset() {
      ftruncateSync(fd, 0);
      fsyncSync(fd);
      offset = 0;
    },
    close() {
      closeSync(fd);
    },
  };
}

function reportDropped(path: string, d: WalDropped, logger: WalLogger | undefined): void {
  if (!logger) return;
  const fields = { wal: path, ...d };
  const what = d.reason === "torn-tail" ? "is cut short" : `failed its ${d.reason.slice(4)} check`;
  if (d.keptRecords === 0)
    logger.error(
      fields,
      `consensus WAL: its first record ${what}; dropped the WHOLE log (${d.bytes} bytes), nothing of this height is replayed`,
    );
  else if (d.reason !== "torn-tail")
    logger.error(
      fields,
      `consensus WAL CORRUPT at byte ${d.offset}: a record ${what}; dropped ${d.bytes} bytes after ${d.keptRecords} good records`,
    );
  else logger.warn(fields, `consensus WAL: dropped a torn tail of ${d.bytes} bytes (a crash mid-append)`);
}

function readRecords(fd: number): {
  records: Uint8Array[];
  goodBytes: number;
  totalBytes: number;
  reason: WalDropped["reason"];
} {
  const totalBytes = fstatSync(fd).size;
  const buf = Buffer.alloc(totalBytes);
  let read = 0;
  while (read < totalBytes) {
    const n = readSync(fd, buf, read, totalBytes - read, read);
    if (n === 0) break;
    read += n;
  }
  return parseWalRecords(buf);
}

/**
 * The checksummed records of a WAL file's bytes: `len u32 ‖ crc32 u32 ‖ payload`, up to the first torn,
 * over-long or corrupt record (fuzzed: issue 23). Never throws.
 */
export function parseWalRecords(buf: Buffer): {
  records: Uint8Array[];
  goodBytes: number;
  totalBytes: number;
  reason: WalDropped["reason"];
} {
  const totalBytes = buf.length;
  const records: Uint8Array[] = [];
  let pos = 0;
  let reason: WalDropped["reason"] = "torn-tail";
  while (pos + 8 <= totalBytes) {
    const len = buf.readUInt32BE(pos);
    const sum = buf.readUInt32BE(pos + 4);
    if (len > MAX_WAL_RECORD) {
      reason = "bad-length";
      break;
    }
    if (pos + 8 + len > totalBytes) break;
    const payload = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(payload) !== sum) {
      reason = "bad-checksum";
      break;
    }
    records.push(new Uint8Array(payload));
    pos += 8 + len;
  }
  return { records, goodBytes: pos, totalBytes, reason };
}
