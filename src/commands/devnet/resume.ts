import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { controlNode } from "../../devnet/control.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

const SUMMARY = {
  stop: "Stop one node cleanly (SIGTERM).",
  start: "Start a stopped node; it catches up by block sync.",
  restart: "Stop and start one node.",
  kill: "Kill one node abruptly (SIGKILL), as a crash would.",
  pause: "Freeze one node (SIGSTOP): it stays connected but silent.",
  resume: "Unfreeze a paused node (SIGCONT).",
} as const;

export default class DevnetResume extends BaseCommand {
  static override summary = SUMMARY.resume;
  static override examples = [
    "<%= config.bin %> devnet resume node2",
    "<%= config.bin %> devnet resume 2 --devnet big --json",
  ];
  static override args = {
    node: Args.string({ description: "Node name (node0…) or index", required: true }),
  };
  static override flags = { devnet: Flags.string({ description: "Devnet name [default: the only one]" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetResume);
    const home = resolveHome(flags.home);
    const r = await controlNode(home, pickDevnet(home, flags.devnet), args.node, "resume");
    this.emit(r, (o) => this.log(`${o.node}: ${o.result}${o.pid ? ` (pid ${o.pid})` : ""}`));
  }
}
