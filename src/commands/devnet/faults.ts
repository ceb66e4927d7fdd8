import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { devnetFaults } from "../../devnet/faults.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetFaults extends BaseCommand {
  static override summary = "Show the faults in force on each node (partitions, latency, loss).";
  static override examples = ["<%= config.bin %> devnet faults", "<%= config.bin %> devnet faults --json"];
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetFaults);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const nodes = await devnetFaults(d);
    this.emit({ name: d.name, nodes }, (o) => {
      for (const n of o.nodes) {
        if (!n.reachable) this.log(`${n.node}: not reachable`);
        else if (!n.faults.length) this.log(`${n.node}: none`);
        else
          for (const f of n.faults) {
            const what = f.drop
              ? "drop"
              : [
                  f.delayMs ? `delay ${f.delayMs} ms` : "",
                  f.jitterMs ? `jitter ${f.jitterMs} ms` : "",
                  f.loss ? `loss ${Math.round(f.loss * 1000) / 10}%` : "",
                  f.dropTypes?.length ? `drop types ${f.dropTypes.join(",")}` : "",
                ]
                  .filter(Boolean)
                  .join(", ");
            this.log(
              `${n.node} → ${f.peer === "*" ? "all peers" : f.peer}: ${what}${f.persist ? " (persisted)" : ""}`,
            );
          }
      }
    });
  }
}
