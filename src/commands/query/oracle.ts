import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryOracle extends BaseCommand {
  static override summary = "Show the oracle committee in force (members, threshold, rotation version).";
  static override examples = ["<%= config.bin %> query oracle --json"];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryOracle);
    const t = resolveTarget(flags.home, flags);
    const o = await clientFor(t.url).oracle();
    this.emit(o, (x) => {
      if (!x.committee) return this.log("no oracle committee on this chain");
      const c = x.committee;
      this.log(`committee v${c.version}: ${c.threshold} of ${c.members.length}`);
      for (const [i, m] of c.members.entries()) this.log(`  [${i}] ${m}`);
    });
  }
}
