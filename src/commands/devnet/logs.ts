import { createReadStream, existsSync, readFileSync, statSync, watch } from "node:fs";
import { join } from "node:path";
import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { findNode, pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93];

export default class DevnetLogs extends BaseCommand {
  static override summary = "Show node logs, merged and prefixed by node (-f to follow).";
  static override examples = [
    "<%= config.bin %> devnet logs",
    "<%= config.bin %> devnet logs node1 -f",
    "<%= config.bin %> devnet logs --json | jq -c 'select(.level >= 40)'",
  ];
  static override args = { node: Args.string({ description: "Only this node" }) };
  static override flags = {
    devnet: Flags.string({ description: "Devnet name [default: the only one]" }),
    follow: Flags.boolean({ char: "f", description: "Keep printing new lines" }),
    lines: Flags.integer({ description: "Lines per node to start with", default: 50 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetLogs);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const nodes = args.node ? [findNode(d, args.node)] : d.nodes;
    const color = process.stdout.isTTY && !this.jsonMode;
    const print = (name: string, i: number, line: string) => {
      if (!line.trim()) return;
      if (this.jsonMode) {
        try {
          process.stdout.write(`${JSON.stringify({ node: name, ...JSON.parse(line) })}\n`);
        } catch {
          process.stdout.write(`${JSON.stringify({ node: name, line })}\n`);
        }
        return;
      }
      const prefix = color
        ? `\u001b[${COLORS[i % COLORS.length]}m${name.padEnd(7)}|\u001b[0m`
        : `${name.padEnd(7)}|`;
      process.stdout.write(`${prefix} ${line}\n`);
    };
    const files = nodes.map((n, i) => ({ n, i, file: join(n.home, "logs", "node.log") }));
    const entries: { t: number; i: number; name: string; line: string }[] = [];
    for (const f of files) {
      if (!existsSync(f.file)) continue;
      for (const line of readFileSync(f.file, "utf8").trim().split("\n").slice(-flags.lines)) {
        let t = 0;
        try {
          t = JSON.parse(line).time ?? 0;
        } catch {}
        entries.push({ t, i: f.i, name: f.n.name, line });
      }
    }
    entries.sort((a, b) => a.t - b.t);
    for (const e of entries) print(e.name, e.i, e.line);
    if (!flags.follow) return;
    await new Promise<void>(() => {
      for (const f of files) {
        let pos = existsSync(f.file) ? statSync(f.file).size : 0;
        let rest = "";
        watch(f.file, () => {
          const size = statSync(f.file).size;
          if (size <= pos) return;
          const stream = createReadStream(f.file, { start: pos, end: size - 1, encoding: "utf8" });
          pos = size;
          stream.on("data", (chunk) => {
            const parts = (rest + chunk).split("\n");
            rest = parts.pop() ?? "";
            for (const line of parts) print(f.n.name, f.i, line);
          });
        });
      }
    });
  }
}
