import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { addressOf, clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryAccount extends BaseCommand {
  static override summary = "Show an account's balance and nonce.";
  static override examples = [
    "<%= config.bin %> query account alice",
    "<%= config.bin %> query account fp1… --json | jq -r .balance",
  ];
  static override args = {
    address: Args.string({ description: "fp1… address or key name", required: true }),
  };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QueryAccount);
    const t = resolveTarget(flags.home, flags);
    const address = await addressOf(t.home, args.address, t, (l) => this.note(l));
    const a = await clientFor(t.url).account(address);
    this.emit(a, (r) =>
      this.log(`${r.address}\n  balance ${r.balance}\n  nonce   ${r.nonce} (next ${r.nextNonce})`),
    );
  }
}
