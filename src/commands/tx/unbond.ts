import { Flags } from "@oclif/core";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";

export default class TxUnbond extends TxCommand {
  static override summary =
    "Unbond the operator's own stake (power drops at the next epoch; funds return later).";
  static override examples = [
    "<%= config.bin %> tx unbond --from val5 --amount 2000000 --wait",
    "<%= config.bin %> tx unbond --from val5 --validator fp1… --amount 1000 --json",
  ];
  static override flags = {
    ...txFlags,
    amount: Flags.string({ description: "Tokens to unbond", required: true }),
    validator: Flags.string({
      description: "Validator (fp1…, 0x…, or devnet node name) [default: the --from key's own]",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxUnbond);
    await this.submit(flags, async (c) => ({
      type: "unbond",
      value: {
        validator: flags.validator ? await c.validator(flags.validator) : await c.ownValidator(),
        amount: parseAmount("amount", flags.amount),
      },
    }));
  }
}
