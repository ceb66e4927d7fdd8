import { BaseCommand } from "../../cli/base-command.js";
import { devnetRunning, listDevnets } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetList extends BaseCommand {
  static override summary = "List devnets in $FASTPOS_HOME/devnets (running or stale).";
  static override examples = ["<%= config.bin %> devnet list", "<%= config.bin %> devnet list --json"];

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetList);
    const devnets = listDevnets(resolveHome(flags.home)).map((d) => ({
      name: d.name,
      chainId: d.chainId,
      nodes: d.nodes.length,
      provider: d.provider ?? "process",
      running: devnetRunning(d),
      createdAt: d.createdAt,
    }));
    this.emit({ devnets }, (o) => {
      if (!o.devnets.length) return this.log("No devnets. Start one with `fastpos devnet up`.");
      for (const d of o.devnets)
        this.log(
          `${d.name.padEnd(12)} ${d.running ? "running" : "stopped"}  ${d.nodes} nodes  ${d.provider.padEnd(7)}  chain ${d.chainId}`,
        );
    });
  }
}
