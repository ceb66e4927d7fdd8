import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { addressOf, clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryRewards extends BaseCommand {
  static override summary = "Show the rewards an account can withdraw (commission and delegation rewards).";
  static override examples = [
    "<%= config.bin %> query rewards node0",
    "<%= config.bin %> query rewards fp1… --json",
  ];
  static override args = {
    address: Args.string({ description: "fp1… address or key name", required: true }),
  };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueryRewards);
    const t = resolveTarget(flags.home, flags);
    const address = await addressOf(t.home, args.address, t, (l) => this.note(l));
    const r = await clientFor(t.url).rewards(address);
    this.emit(r, (x) => {
      this.log(`${x.address}: ${x.total} withdrawable at height ${x.height} (accrued ${x.accrued})`);
      for (const u of x.unsettled) this.log(`  ${u.amount} from delegating to ${u.validator}`);
    });
  }
}
