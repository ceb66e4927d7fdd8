import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryTx extends BaseCommand {
  static override summary = "Show a transaction by hash (committed or pending).";
  static override examples = [
    "<%= config.bin %> query tx 0x…",
    "<%= config.bin %> query tx 0x… --json | jq -r .status",
  ];
  static override args = { hash: Args.string({ description: "Transaction hash (0x…)", required: true }) };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueryTx);
    if (!/^0x[0-9a-fA-F]{64}$/.test(args.hash))
      throw new UserError("BAD_TX_HASH", `"${args.hash}" is not a transaction hash`, {
        hint: "a hash is 0x followed by 64 hex digits, as printed by `fastpos tx …`",
      });
    const t = await clientFor(resolveTarget(flags.home, flags).url).tx(args.hash);
    this.emit(t, (r) => {
      this.log(`${r.tx.hash}: ${r.status}${r.status === "committed" ? ` in block ${r.height}` : ""}`);
      this.log(
        `  ${r.tx.from} → ${r.tx.payload.to}: ${r.tx.payload.amount} (fee ${r.tx.fee}, nonce ${r.tx.nonce})`,
      );
    });
  }
}
