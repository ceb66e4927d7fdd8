import { Flags } from "@oclif/core";
import { TxCommand, txFlags } from "../../cli/tx-command.js";

export default class TxUnjail extends TxCommand {
  static override summary = "Unjail a jailed validator (operator only; jailing arrives with slashing).";
  static override examples = ["<%= config.bin %> tx unjail --from val5 --wait"];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator [default: the --from key's own]" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxUnjail);
    await this.submit(flags, async (c) => ({
      type: "unjail",
      value: { validator: flags.validator ? await c.validator(flags.validator) : await c.ownValidator() },
    }));
  }
}
