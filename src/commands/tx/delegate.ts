import { Flags } from "@oclif/core";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";

export default class TxDelegate extends TxCommand {
  static override summary = "Delegate tokens to a validator (shares at the current rate).";
  static override examples = [
    "<%= config.bin %> tx delegate --from bob --validator node1 --amount 5000 --wait",
    "<%= config.bin %> tx delegate --from bob --validator fp1… --amount 5000 --json",
  ];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator (fp1…, 0x…, or devnet node name)", required: true }),
    amount: Flags.string({ description: "Tokens", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxDelegate);
    await this.submit(flags, async (c) => ({
      type: "delegate",
      value: { validator: await c.validator(flags.validator), amount: parseAmount("amount", flags.amount) },
    }));
  }
}
