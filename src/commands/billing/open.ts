import { Flags } from "@oclif/core";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";
import { escrowIdOf } from "../../core/chain/product-state.js";
import { PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";
import { toHex } from "../../core/codec/index.js";
import { decodeAddress } from "../../core/crypto/index.js";

export default class BillingOpen extends TxCommand {
  static override summary = "Open a billing escrow funded with a deposit; prints its id.";
  static override examples = ["<%= config.bin %> billing open --from product-user --deposit 100000 --wait"];
  static override flags = {
    ...txFlags,
    deposit: Flags.string({ description: "Tokens moved from your balance into the escrow", default: "0" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BillingOpen);
    await this.submit(
      flags,
      () => ({
        type: "billing-open",
        value: { version: PRODUCT_PAYLOAD_VERSION, deposit: parseAmount("deposit", flags.deposit) },
      }),
      (_p, sent) => ({ escrow: toHex(escrowIdOf(decodeAddress(sent.from), sent.nonce)) }),
    );
  }
}
