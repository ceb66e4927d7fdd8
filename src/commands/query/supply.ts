import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QuerySupply extends BaseCommand {
  static override summary =
    "Show total supply, tokens minted as rewards, burned by slashing, and the reward pool.";
  static override examples = ["<%= config.bin %> query supply --json"];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QuerySupply);
    const t = resolveTarget(flags.home, flags);
    const s = await clientFor(t.url).supply();
    this.emit(s, (x) =>
      this.log(
        `height ${x.height}: supply ${x.total}, minted ${x.minted}, burned ${x.burned}, pool ${x.rewardPool}`,
      ),
    );
  }
}
