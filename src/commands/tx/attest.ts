import { Flags } from "@oclif/core";
import { epochFlag, epochOrCurrent, oracleKeyFlag, oracleSigners } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { signQuorum } from "../../core/chain/apply/oracle-quorum.js";
import { AttestationBodyCodec, PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";
import { fromHex, toHex } from "../../core/codec/index.js";

export default class TxAttest extends TxCommand {
  static override summary =
    "Attest a validator's score for an epoch with M oracle committee keys (sets workWeight at the next boundary).";
  static override examples = [
    "<%= config.bin %> tx attest --from product-user --oracle-key oracle-0 --oracle-key oracle-1 --validator node1 --epoch 3 --score 15000 --wait",
  ];
  static override flags = {
    ...txFlags,
    "oracle-key": oracleKeyFlag,
    validator: Flags.string({ description: "Validator whose report is attested", required: true }),
    epoch: epochFlag,
    score: Flags.integer({
      description: "Score, fixed point like workWeight (10000 = 1.0)",
      required: true,
      min: 0,
      max: 1_000_000,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxAttest);
    await this.submit(flags, async (c) => {
      const validator = await c.validator(flags.validator);
      const epoch = await epochOrCurrent(c, flags.epoch, -1n);
      const report = await c.client.workReport(epoch, toHex(validator));
      const body = { epoch, validator, score: flags.score, reportHash: fromHex(report.reportHash, 32) };
      const status = await c.client.status();
      const signers = await oracleSigners(c, flags["oracle-key"]);
      const signatures = signQuorum(AttestationBodyCodec, "oracleAttest", status.chainId, body, signers);
      return { type: "oracle-attest", value: { version: PRODUCT_PAYLOAD_VERSION, ...body, signatures } };
    });
  }
}
