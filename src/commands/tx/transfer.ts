import { Flags } from "@oclif/core";
import { addressOf, resolveTarget } from "../../cli/target.js";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";
import { decodeAddress, encodeAddress } from "../../core/crypto/index.js";

export default class TxTransfer extends TxCommand {
  static override summary = "Send tokens; signs locally with a key from the keystore (or the devnet's keys).";
  static override examples = [
    "<%= config.bin %> tx transfer --from alice --to bob --amount 10 --wait",
    "<%= config.bin %> tx transfer --from alice --to fp1… --amount 1000 --fee 2 --node http://127.0.0.1:26660 --json",
  ];
  static override flags = {
    ...txFlags,
    to: Flags.string({ description: "Recipient fp1… address or key name", required: true }),
    amount: Flags.string({ description: "Amount (integer)", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxTransfer);
    const amount = parseAmount("amount", flags.amount);
    await this.submit(
      flags,
      async () => {
        const t = resolveTarget(flags.home, flags);
        const to = await addressOf(t.home, flags.to, t, (l) => this.note(l));
        return { type: "transfer", value: { to: decodeAddress(to), amount } };
      },
      (p) =>
        p.type === "transfer" ? { to: encodeAddress(p.value.to), amount: p.value.amount.toString() } : {},
    );
  }
}
