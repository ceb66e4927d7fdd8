import { Flags } from "@oclif/core";
import { keyByName, resolveTarget } from "../../cli/target.js";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";

export default class TxBond extends TxCommand {
  static override summary = "Create a validator (or add self-stake) with the --from key as its operator.";
  static override description =
    "The consensus key is the --consensus-key keystore key's consensus-path key (default: the --from key's). A new " +
    "validator joins the active set at the next epoch boundary if its stake ranks in the top maxValidators.";
  static override examples = [
    "<%= config.bin %> tx bond --from val5 --amount 2000000 --moniker val5 --wait",
    "<%= config.bin %> tx bond --from val5 --amount 500000 --json",
  ];
  static override flags = {
    ...txFlags,
    amount: Flags.string({ description: "Tokens to bond", required: true }),
    "consensus-key": Flags.string({
      description: "Keystore key whose consensus key the validator signs with [default: --from]",
    }),
    moniker: Flags.string({ description: "Validator name [default: the key name]" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxBond);
    await this.submit(flags, async () => {
      const t = resolveTarget(flags.home, flags);
      const cons = await keyByName(
        t.home,
        flags["consensus-key"] ?? flags.from,
        t,
        flags.password,
        "consensus",
      );
      return {
        type: "bond",
        value: {
          consensusKey: cons.publicKey,
          name: flags.moniker ?? flags.from,
          amount: parseAmount("amount", flags.amount),
        },
      };
    });
  }
}
