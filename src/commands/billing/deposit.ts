import { Flags } from "@oclif/core";
import { parseHash } from "../../cli/product-flags.js";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";

export default class BillingDeposit extends TxCommand {
  static override summary = "Add tokens to a billing escrow.";
  static override examples = [
    "<%= config.bin %> billing deposit --from product-user --escrow 0x… --amount 5000 --wait",
  ];
  static override flags = {
    ...txFlags,
    escrow: Flags.string({ description: "Escrow id (0x-hex, from `billing open`)", required: true }),
    amount: Flags.string({ description: "Tokens to add", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingDeposit);
    await this.submit(flags, () => ({
      type: "billing-deposit",
      value: { escrow: parseHash("escrow", flags.escrow), amount: parseAmount("amount", flags.amount) },
    }));
  }
}
