import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryBlock extends BaseCommand {
  static override summary = "Show a block (latest by default).";
  static override examples = [
    "<%= config.bin %> query block",
    "<%= config.bin %> query block 42 --json | jq .header",
  ];
  static override args = { height: Args.string({ description: "Height or 'latest'", default: "latest" }) };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueryBlock);
    if (args.height !== "latest" && !/^\d+$/.test(args.height))
      throw new UserError("BAD_HEIGHT", `height must be a number or "latest", got "${args.height}"`, {
        hint: "e.g. `fastpos query block 12` or `fastpos query block latest`",
      });
    const b = await clientFor(resolveTarget(flags.home, flags).url).block(
      args.height === "latest" ? "latest" : BigInt(args.height),
    );
    this.emit(b, (r) => {
      this.log(`block ${r.header.height} ${r.hash}`);
      this.log(`  time      ${new Date(Number(r.header.time)).toISOString()}`);
      this.log(`  proposer  ${r.header.proposer}`);
      this.log(`  txs       ${r.txs.length}`);
      this.log(`  stateRoot ${r.header.stateRoot}`);
    });
  }
}
