import { Flags } from "@oclif/core";
import { parseHash } from "../../cli/product-flags.js";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";
import { PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";

export default class BillingInvoice extends TxCommand {
  static override summary = "Post a usage invoice against an escrow (a validator's operator).";
  static override examples = [
    "<%= config.bin %> billing invoice --from node1 --escrow 0x… --amount 2500 --usage-hash 0x… --wait",
  ];
  static override flags = {
    ...txFlags,
    escrow: Flags.string({ description: "Escrow id (0x-hex)", required: true }),
    validator: Flags.string({ description: "Validator billing [default: the --from key's own]" }),
    amount: Flags.string({ description: "Tokens owed", required: true }),
    "usage-hash": Flags.string({ description: "SHA-256 of the usage record (0x-hex)", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingInvoice);
    await this.submit(flags, async (c) => ({
      type: "billing-invoice",
      value: {
        version: PRODUCT_PAYLOAD_VERSION,
        escrow: parseHash("escrow", flags.escrow),
        validator: flags.validator ? await c.validator(flags.validator) : await c.ownValidator(),
        amount: parseAmount("amount", flags.amount),
        usageHash: parseHash("usage-hash", flags["usage-hash"]),
      },
    }));
  }
}
