import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryEvidence extends BaseCommand {
  static override summary =
    "Show committed evidence (until it expires), the node's pending pool and burned total.";
  static override examples = [
    "<%= config.bin %> query evidence",
    "<%= config.bin %> query evidence --json | jq '.committed'",
  ];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryEvidence);
    const e = await clientFor(resolveTarget(flags.home, flags).url).evidence();
    this.emit(e, (r) => {
      this.log(
        `height ${r.height}: ${r.committed.length} committed (kept ${r.evidenceMaxAgeBlocks} blocks), ${r.pending.length} pending; burned ${r.burned}`,
      );
      for (const c of r.committed)
        this.log(
          `committed  ${c.kind.padEnd(9)} h${c.height}/r${c.round} by ${c.validator} in block ${c.committedAt}`,
        );
      for (const p of r.pending)
        this.log(`pending    ${p.kind.padEnd(9)} h${p.height}/r${p.round} by ${p.validator}`);
    });
  }
}
