import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";

/**
 * Structured JSON logs (DESIGN.md §5) to `<home>/logs/node.log` and, unless disabled, stderr.
 */
export function createLogger(opts: { file: string; level: string; stderr: boolean; name: string }): Logger {
  mkdirSync(dirname(opts.file), { recursive: true });
  const streams: pino.StreamEntry[] = [
    {
      level: opts.level as pino.Level,
      stream: pino.destination({ dest: opts.file, sync: false, mkdir: true }),
    },
  ];
  if (opts.stderr)
    streams.push({ level: opts.level as pino.Level, stream: pino.destination({ dest: 2, sync: false }) });
  return pino({ level: opts.level, name: opts.name, base: { node: opts.name } }, pino.multistream(streams));
}

export type { Logger };
