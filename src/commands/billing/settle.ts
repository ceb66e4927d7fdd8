import { Flags } from "@oclif/core";
import { UserError } from "../../cli/errors.js";
import { parseHash } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";

export default class BillingSettle extends TxCommand {
  static override summary = "Pay open invoices from your escrow to the validators (escrow owner).";
  static override examples = [
    "<%= config.bin %> billing settle --from product-user --escrow 0x… --invoice 0 --invoice 1 --wait",
    "<%= config.bin %> billing settle --from product-user --escrow 0x… --all --wait",
  ];
  static override flags = {
    ...txFlags,
    escrow: Flags.string({ description: "Escrow id (0x-hex)", required: true }),
    invoice: Flags.integer({ description: "Invoice id (repeat)", multiple: true, min: 0 }),
    all: Flags.boolean({ description: "Every open invoice (at most 64)", exclusive: ["invoice"] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingSettle);
    await this.submit(flags, async (c) => {
      const escrow = parseHash("escrow", flags.escrow);
      const invoices = flags.all
        ? (await c.client.escrow(flags.escrow.toLowerCase())).invoices.slice(0, 64).map((i) => i.id)
        : (flags.invoice ?? []);
      if (!invoices.length)
        throw new UserError("NO_INVOICES", "nothing to settle", {
          hint: "name invoices with --invoice N, or use --all",
        });
      return { type: "settle", value: { escrow, invoices } };
    });
  }
}
