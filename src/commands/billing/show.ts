import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { parseHash } from "../../cli/product-flags.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class BillingShow extends BaseCommand {
  static override summary = "Show an escrow: owner, balance, open invoices, refund epoch.";
  static override examples = ["<%= config.bin %> billing show 0x… --json"];
  static override args = { escrow: Args.string({ description: "Escrow id (0x-hex)", required: true }) };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BillingShow);
    parseHash("escrow", args.escrow);
    const t = resolveTarget(flags.home, flags);
    const e = await clientFor(t.url).escrow(args.escrow.toLowerCase());
    this.emit(e, (r) => {
      this.log(`escrow ${r.id} (owner ${r.owner})`);
      this.log(`  balance ${r.balance}${r.refundEpoch ? `, refundable from epoch ${r.refundEpoch}` : ""}`);
      if (!r.invoices.length) this.log("  no open invoices");
      for (const i of r.invoices)
        this.log(`  invoice ${i.id}: ${i.amount} to ${i.validator} (usage ${i.usageHash})`);
    });
  }
}
