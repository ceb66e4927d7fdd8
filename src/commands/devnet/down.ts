import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { devnetDown } from "../../devnet/control.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetDown extends BaseCommand {
  static override summary = "Stop every node of a devnet and delete its state (unless --keep-data).";
  static override examples = [
    "<%= config.bin %> devnet down",
    "<%= config.bin %> devnet down --devnet big --keep-data --json",
    "<%= config.bin %> devnet down -d big",
  ];
  static override flags = {
    devnet: devnetFlag({ nameAlias: true }),
    "keep-data": Flags.boolean({
      description: "Keep homes, keys and chain data (restart later with `devnet start`)",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetDown);
    const home = resolveHome(flags.home);
    const d = pickDevnet(home, flags.devnet);
    const r = await devnetDown(home, d, flags["keep-data"]);
    this.emit({ name: d.name, ...r }, (o) =>
      this.log(
        `Devnet "${o.name}" stopped (${o.stopped.length} node(s))${o.removed ? " and removed" : "; data kept"}.`,
      ),
    );
  }
}
