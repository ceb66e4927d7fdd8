import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { providerFor } from "../../devnet/providers/index.js";
import { findNode, pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93];
/** pino's level numbers. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_NAME = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k]));

/** One pino record as a short human line: `12:03:04.123 INFO  msg key=value …` (issue 19 item 9). */
export function prettyLine(rec: Record<string, unknown>): string {
  const { time, level, msg, pid: _p, hostname: _h, ...rest } = rec;
  const t = typeof time === "number" ? new Date(time).toISOString().slice(11, 23) : "";
  const lv = (LEVEL_NAME[level as number] ?? String(level ?? "")).toUpperCase().padEnd(5);
  const kv = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return [t, lv, String(msg ?? ""), ...kv].filter(Boolean).join(" ");
}

export default class DevnetLogs extends BaseCommand {
  static override summary = "Show node logs, merged and prefixed by node (-f to follow).";
  static override description =
    "Process devnets read each node's log file; docker devnets stream the logs from the engine. Lines are " +
    "the node's JSON log records; --json prints each as one JSON object with a `node` field (NDJSON).";
  static override examples = [
    "<%= config.bin %> devnet logs",
    "<%= config.bin %> devnet logs node1 -f",
    "<%= config.bin %> devnet logs --devnet big",
    "<%= config.bin %> devnet logs --json | jq -c 'select(.level >= 40)'",
  ];
  static override args = { node: Args.string({ description: "Only this node" }) };
  static override flags = {
    devnet: devnetFlag(),
    follow: Flags.boolean({ char: "f", description: "Keep printing new lines" }),
    lines: Flags.integer({ description: "Lines per node to start with", default: 50, min: 0 }),
    pretty: Flags.boolean({ description: "Human lines (time, level, message, fields) instead of raw JSON" }),
    level: Flags.option({
      options: Object.keys(LEVELS),
      description: "Only records at this level or above",
    })(),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetLogs);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const provider = await providerFor(d);
    const nodes = args.node ? [findNode(d, args.node)] : d.nodes;
    // NO_COLOR (https://no-color.org): any non-empty value turns colours off.
    const color = process.stdout.isTTY && !this.jsonMode && !process.env.NO_COLOR;
    const min = flags.level ? (LEVELS[flags.level] as number) : 0;
    const print = (name: string, i: number, raw: string) => {
      if (!raw.trim()) return;
      let line = raw;
      if (min || flags.pretty) {
        let rec: Record<string, unknown> | undefined;
        try {
          rec = JSON.parse(raw);
        } catch {}
        if (min && typeof rec?.level === "number" && rec.level < min) return;
        if (flags.pretty && rec && typeof rec === "object" && !this.jsonMode) line = prettyLine(rec);
      }
      if (this.jsonMode) {
        let rec: unknown;
        try {
          rec = JSON.parse(line);
        } catch {}
        const obj =
          rec !== null && typeof rec === "object" && !Array.isArray(rec)
            ? { node: name, ...rec }
            : { node: name, line };
        process.stdout.write(`${JSON.stringify(obj)}\n`);
        return;
      }
      const prefix = color
        ? `\u001b[${COLORS[i % COLORS.length]}m${name.padEnd(7)}|\u001b[0m`
        : `${name.padEnd(7)}|`;
      process.stdout.write(`${prefix} ${line}\n`);
    };
    const entries: { t: number; i: number; name: string; line: string }[] = [];
    await Promise.all(
      nodes.map(async (n, i) => {
        for (const line of await provider.readLogs(d, n, flags.lines)) {
          let t = 0;
          try {
            t = JSON.parse(line).time ?? 0;
          } catch {}
          entries.push({ t, i, name: n.name, line });
        }
      }),
    );
    // Merged by the records' own time; stable, so one node's lines keep their order.
    entries.sort((a, b) => a.t - b.t || a.i - b.i);
    for (const e of entries) print(e.name, e.i, e.line);
    if (!flags.follow) return;
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await Promise.all(
      nodes.map((n, i) => provider.followLogs(d, n, (line) => print(n.name, i, line), ac.signal)),
    );
  }
}
