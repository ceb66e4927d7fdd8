import { Flags } from "@oclif/core";
import { parseHash } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";

export default class BillingClose extends TxCommand {
  static override summary = "Close your escrow: the unused deposit is refundable after the notice period.";
  static override examples = ["<%= config.bin %> billing close --from product-user --escrow 0x… --wait"];
  static override flags = {
    ...txFlags,
    escrow: Flags.string({ description: "Escrow id (0x-hex)", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingClose);
    await this.submit(flags, () => ({
      type: "billing-close",
      value: { escrow: parseHash("escrow", flags.escrow) },
    }));
  }
}
