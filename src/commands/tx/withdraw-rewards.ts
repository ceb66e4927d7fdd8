import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";

export default class TxWithdrawRewards extends TxCommand {
  static override summary =
    "Move all your accrued rewards (commission and delegation rewards) to your balance.";
  static override examples = ["<%= config.bin %> tx withdraw-rewards --from node0 --wait"];
  static override flags = { ...txFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxWithdrawRewards);
    await this.submit(flags, () => ({
      type: "withdraw-rewards",
      value: { version: PRODUCT_PAYLOAD_VERSION },
    }));
  }
}
