import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryValidators extends BaseCommand {
  static override summary = "Show the active validator set with power and workWeight.";
  static override examples = [
    "<%= config.bin %> query validators",
    "<%= config.bin %> query validators --json | jq '.validators | length'",
  ];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryValidators);
    const v = await clientFor(resolveTarget(flags.home, flags).url).validators();
    this.emit(v, (r) => {
      this.log(`${r.validators.length} validators at height ${r.height}, total power ${r.totalPower}`);
      for (const x of r.validators)
        this.log(`  ${x.consensusAddress}  power ${x.power.padEnd(10)} workWeight ${x.workWeight}`);
    });
  }
}
