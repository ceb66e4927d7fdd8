import { Flags } from "@oclif/core";
import { TxCommand, txFlags } from "../../cli/tx-command.js";

export default class TxSetWorkWeight extends TxCommand {
  static override summary =
    "Set a validator's workWeight (10000 = 1.0) from the next epoch (workWeight authority only).";
  static override examples = [
    "<%= config.bin %> tx set-work-weight --from alice --validator node2 --work-weight 20000 --wait",
  ];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator (fp1…, 0x…, or devnet node name)", required: true }),
    "work-weight": Flags.integer({
      description: "Fixed point, 10000 = 1.0",
      required: true,
      min: 0,
      max: 1_000_000,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxSetWorkWeight);
    await this.submit(flags, async (c) => ({
      type: "set-work-weight",
      value: { validator: await c.validator(flags.validator), workWeight: flags["work-weight"] },
    }));
  }
}
