import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { healDevnet } from "../../devnet/faults.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetHeal extends BaseCommand {
  static override summary =
    "Clear every fault (partitions, latency, loss) on every node, persisted ones too.";
  static override examples = ["<%= config.bin %> devnet heal", "<%= config.bin %> devnet heal -d big --json"];
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetHeal);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const r = await healDevnet(d);
    this.emit(r, (o) => {
      this.log(`healed devnet "${d.name}"`);
      for (const c of o.nodes.filter((x) => x.result === "skipped"))
        this.log(`  ${c.node}: not reached (${c.reason})`);
    });
  }
}
