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

/**
 * Consensus write-ahead log (DESIGN.md §4). Each record is `u32 length ‖ u32 crc32(payload) ‖ payload`,
 * big-endian. Consensus inputs are appended as they arrive; the node's own messages are appended with
 * `sync: true` (fsync) before they are used, so a restarted node replays exactly what it had acted on.
 *
 * A torn tail (a crash mid-append: short record or bad checksum) is truncated away on open and reported
 * through `truncatedBytes`; the signer state is a separate file and never truncated.
 */
export interface Wal {
  /** Records read at open, in order (the replay input). */
  readonly records: Uint8Array[];
  /** Bytes dropped from a torn tail at open (0 for a clean log). */
  readonly truncatedBytes: number;
  append(payload: Uint8Array, opts?: { sync?: boolean }): void;
  /** Drops every record (after a height is committed, its inputs are no longer needed). */
  reset(): void;
  close(): void;
}

/** Largest record accepted; a length above it can only be corruption. */
export const MAX_WAL_RECORD = 8 << 20;

export function openWal(path: string): Wal {
  const fd = openSync(path, existsSync(path) ? "r+" : "w+", 0o600);
  const { records, goodBytes, totalBytes } = readRecords(fd);
  if (goodBytes < totalBytes) {
    ftruncateSync(fd, goodBytes);
    fsyncSync(fd);
  }
  let offset = goodBytes;
  const header = Buffer.alloc(8);

  return {
    records,
    truncatedBytes: totalBytes - goodBytes,
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

function readRecords(fd: number): { records: Uint8Array[]; goodBytes: number; totalBytes: number } {
  const totalBytes = fstatSync(fd).size;
  const buf = Buffer.alloc(totalBytes);
  let read = 0;
  while (read < totalBytes) {
    const n = readSync(fd, buf, read, totalBytes - read, read);
    if (n === 0) break;
    read += n;
  }
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos + 8 <= totalBytes) {
    const len = buf.readUInt32BE(pos);
    const sum = buf.readUInt32BE(pos + 4);
    if (len > MAX_WAL_RECORD || pos + 8 + len > totalBytes) break;
    const payload = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(payload) !== sum) break;
    records.push(new Uint8Array(payload));
    pos += 8 + len;
  }
  return { records, goodBytes: pos, totalBytes };
}
