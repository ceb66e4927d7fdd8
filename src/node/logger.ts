import { existsSync, mkdirSync, openSync, renameSync, statSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";
import { FastposError } from "../core/errors.js";

/**
 * Structured JSON logs (DESIGN.md §5) to `<home>/logs/node.log` and, unless disabled, stderr.
 *
 * SECURITY: the file is size-capped (issue 24 item 8): past `maxBytes` it is rotated — node.log.1 is the
 * newest old file, node.log.<maxFiles> the oldest kept, older ones are deleted — so a flood of log lines
 * (e.g. a peer sending garbage that is logged per frame) can take at most maxBytes × (maxFiles + 1) bytes of
 * disk. Lines are never split across files; writes are buffered and asynchronous as before, and the
 * in-memory buffer is bounded too (lines are dropped, not queued without end, when the disk cannot keep up).
 */
export interface LoggerOptions {
  file: string;
  level: string;
  stderr: boolean;
  name: string;
  /** Rotate node.log past this size (default 16 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides node.log (default 5). */
  maxFiles?: number;
}

export type LogErrorType = { code: "LOG_UNWRITABLE"; file: string; reason: string; hint: string };
export class LogError extends FastposError<LogErrorType> {}

/** Most bytes of log lines buffered in memory while the disk catches up. */
const MAX_BUFFERED = 16 << 20;

export function createLogger(opts: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [
    {
      level: opts.level as pino.Level,
      stream: rotatingFile(opts.file, opts.maxBytes ?? 16 << 20, opts.maxFiles ?? 5),
    },
  ];
  if (opts.stderr)
    streams.push({ level: opts.level as pino.Level, stream: pino.destination({ dest: 2, sync: false }) });
  return pino({ level: opts.level, name: opts.name, base: { node: opts.name } }, pino.multistream(streams));
}

/**
 * A pino stream appending to `file` that rotates it once `maxBytes` have been written (counting what the
 * file already held). Rotation happens between two lines: the current writer is ended (what it still
 * buffers lands in its file, which it follows through the rename), the files are renamed synchronously,
 * and a new writer opens a fresh `file` — opened synchronously, so the path always exists.
 * @throws LogError LOG_UNWRITABLE when the file cannot be opened (checked at start-up)
 */
function rotatingFile(file: string, maxBytes: number, maxFiles: number): pino.DestinationStream {
  let failed = false;
  // A failing disk (full, removed) must not end the node: report once on stderr and keep running.
  const onError = (err: Error) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`fastpos: cannot write the node log ${file}: ${err.message}\n`);
  };
  const openWriter = () => {
    const fd = openSync(file, "a");
    const d = pino.destination({ dest: fd, sync: false, maxLength: MAX_BUFFERED });
    d.on("error", onError);
    return d;
  };
  let dest: ReturnType<typeof openWriter>;
  let size = 0;
  try {
    mkdirSync(dirname(file), { recursive: true });
    dest = openWriter();
    size = statSync(file).size;
  } catch (err) {
    throw new LogError(
      {
        code: "LOG_UNWRITABLE",
        file,
        reason: (err as Error).message,
        hint: `check that ${dirname(file)} is writable by this user and the disk has room`,
      },
      `cannot write the node log ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let dead = false;
  const rotate = () => {
    dest.end();
    try {
      const older = (i: number) => `${file}.${i}`;
      if (maxFiles === 0) unlinkSync(file);
      else {
        if (existsSync(older(maxFiles))) unlinkSync(older(maxFiles));
        for (let i = maxFiles - 1; i >= 1; i--) if (existsSync(older(i))) renameSync(older(i), older(i + 1));
        renameSync(file, older(1));
      }
    } catch (err) {
      onError(new Error(`cannot rotate it: ${(err as Error).message}`));
    }
    try {
      dest = openWriter();
      size = statSync(file).size;
    } catch (err) {
      dead = true; // lines are dropped from now on; the node keeps running
      onError(err as Error);
    }
  };
  return {
    write(line: string) {
      if (dead) return;
      // PERF: log lines are ASCII but for rare user strings; the exact byte count matters only at the cap.
      size += line.length;
      dest.write(line);
      if (size >= maxBytes) rotate();
    },
    // pino.multistream flushes its streams through flushSync (logger.flush(), and pino's exit handler).
    flushSync() {
      try {
        dest.flushSync();
      } catch {
        // nothing to flush, or the writer is busy: the async writer drains it
      }
    },
  } as pino.DestinationStream & { flushSync(): void };
}

export type { Logger };
