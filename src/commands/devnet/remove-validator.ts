import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { spinner } from "../../cli/progress.js";
import { pickDevnet } from "../../devnet/state.js";
import { removeValidator } from "../../devnet/validators.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetRemoveValidator extends BaseCommand {
  static override summary =
    "Unbond a devnet validator's self-stake, wait until it leaves the set, then stop its node.";
  static override examples = [
    "<%= config.bin %> devnet remove-validator node4",
    "<%= config.bin %> devnet remove-validator val5 --devnet big --json",
  ];
  static override args = { node: Args.string({ description: "Node name", required: true }) };
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetRemoveValidator);
    const home = resolveHome(flags.home);
    const spin = spinner(!this.jsonMode);
    try {
      const r = await removeValidator(home, pickDevnet(home, flags.devnet), args.node, {
        onProgress: (m) => spin.update(m),
      });
      spin.stop();
      this.emit(r, (o) => {
        this.log(
          `${o.node} unbonded ${o.unbonded} in block ${o.unbondHeight}, left the set from height ${o.leftSetAtHeight}, stopped.`,
        );
        if (o.fundsReleasedAfterHeight) this.log(`  funds return after height ${o.fundsReleasedAfterHeight}`);
      });
    } finally {
      spin.stop();
    }
  }
}
