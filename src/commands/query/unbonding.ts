import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { addressOf, clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryUnbonding extends BaseCommand {
  static override summary = "Show an account's unbonding entries and when they are released.";
  static override examples = [
    "<%= config.bin %> query unbonding bob",
    "<%= config.bin %> query unbonding fp1… --json",
  ];
  static override args = {
    address: Args.string({ description: "fp1… address or key name", required: true }),
  };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueryUnbonding);
    const t = resolveTarget(flags.home, flags);
    const address = await addressOf(t.home, args.address, t, (l) => this.note(l));
    const u = await clientFor(t.url).unbonding(address);
    this.emit(u, (r) => {
      if (!r.entries.length) return this.log(`${r.address}: nothing unbonding`);
      for (const e of r.entries)
        this.log(
          `${e.amount} from ${e.validator}: released after height ${e.releaseAfterHeight} (epoch ${e.releaseEpoch})`,
        );
    });
  }
}
