import { Flags } from "@oclif/core";
import { epochFlag, epochOrCurrent, hashFlag, parseHash } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";

export default class TxChallenge extends TxCommand {
  static override summary = "Challenge a validator's work report, bonding the chain's challengeBond.";
  static override examples = [
    "<%= config.bin %> tx challenge --from product-user --validator node2 --epoch 3 --evidence-hash 0x… --wait",
  ];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator whose report is challenged", required: true }),
    epoch: epochFlag,
    "evidence-hash": hashFlag("SHA-256 of the counter-evidence"),
    uri: Flags.string({ description: "Where the committee fetches the counter-evidence", default: "" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxChallenge);
    await this.submit(flags, async (c) => ({
      type: "challenge",
      value: {
        version: PRODUCT_PAYLOAD_VERSION,
        epoch: await epochOrCurrent(c, flags.epoch, -1n),
        validator: await c.validator(flags.validator),
        evidenceHash: parseHash("evidence-hash", flags["evidence-hash"]),
        uri: flags.uri,
      },
    }));
  }
}
