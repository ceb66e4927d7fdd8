import { Flags } from "@oclif/core";
import { parseHash } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";

export default class BillingRefund extends TxCommand {
  static override summary =
    "After the notice period: pay open invoices, refund the rest and delete the escrow.";
  static override examples = ["<%= config.bin %> billing refund --from product-user --escrow 0x… --wait"];
  static override flags = {
    ...txFlags,
    escrow: Flags.string({ description: "Escrow id (0x-hex)", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingRefund);
    await this.submit(flags, () => ({
      type: "billing-refund",
      value: { escrow: parseHash("escrow", flags.escrow) },
    }));
  }
}
