import { Flags } from "@oclif/core";
import { UserError } from "../../cli/errors.js";
import { clientFor, resolveTarget } from "../../cli/target.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { encodeAddress } from "../../core/crypto/index.js";

export default class TxEditValidator extends TxCommand {
  static override summary = "Change a validator's name or commission (operator only).";
  static override examples = [
    "<%= config.bin %> tx edit-validator --from val5 --moniker fast-val --commission 500 --wait",
  ];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator [default: the --from key's own]" }),
    moniker: Flags.string({ description: "New name [default: unchanged]" }),
    commission: Flags.integer({
      description: "Commission in basis points, 0–10000 [default: unchanged]",
      min: 0,
      max: 10_000,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxEditValidator);
    if (flags.moniker === undefined && flags.commission === undefined)
      throw new UserError("USAGE", "nothing to change: give --moniker and/or --commission", {
        hint: "e.g. `fastpos tx edit-validator --from val5 --commission 500`",
      });
    await this.submit(flags, async (c) => {
      const validator = flags.validator ? await c.validator(flags.validator) : await c.ownValidator();
      const current = (await clientFor(resolveTarget(flags.home, flags).url).validators()).validators.find(
        (v) => v.consensusAddress === encodeAddress(validator),
      );
      return {
        type: "edit-validator",
        value: {
          validator,
          name: flags.moniker ?? current?.name ?? "",
          commission: flags.commission ?? current?.commission ?? 0,
        },
      };
    });
  }
}
