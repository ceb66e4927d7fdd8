import { Flags } from "@oclif/core";
import { UserError } from "../../cli/errors.js";
import { epochFlag, epochOrCurrent, oracleKeyFlag, oracleSigners } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { signQuorum } from "../../core/chain/apply/oracle-quorum.js";
import { PRODUCT_PAYLOAD_VERSION, ResolutionBodyCodec } from "../../core/chain/product-tx.js";
import { fromHex, toHex } from "../../core/codec/index.js";

export default class TxResolveChallenge extends TxCommand {
  static override summary =
    "Resolve an open challenge with M oracle keys: fraud (reporter slashed) or rejected.";
  static override examples = [
    "<%= config.bin %> tx resolve-challenge --from product-user --oracle-key oracle-0 --oracle-key oracle-1 --validator node2 --epoch 3 --verdict fraud --wait",
  ];
  static override flags = {
    ...txFlags,
    "oracle-key": oracleKeyFlag,
    validator: Flags.string({ description: "Validator whose report was challenged", required: true }),
    epoch: epochFlag,
    verdict: Flags.string({
      description: "The committee's finding",
      options: ["fraud", "rejected"],
      required: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxResolveChallenge);
    await this.submit(flags, async (c) => {
      const validator = await c.validator(flags.validator);
      const epoch = await epochOrCurrent(c, flags.epoch, -1n);
      const report = await c.client.workReport(epoch, toHex(validator));
      if (!report.challenge)
        throw new UserError(
          "NO_CHALLENGE",
          `the epoch ${epoch} report of ${flags.validator} has no open challenge`,
          {
            hint: "see `fastpos query work-report`",
          },
        );
      const verdict = flags.verdict as "fraud" | "rejected";
      const body = {
        epoch,
        validator,
        verdict,
        reportHash: fromHex(report.reportHash, 32),
        evidenceHash: fromHex(report.challenge.evidenceHash, 32),
      };
      const status = await c.client.status();
      const signers = await oracleSigners(c, flags["oracle-key"]);
      const signatures = signQuorum(ResolutionBodyCodec, "oracleResolve", status.chainId, body, signers);
      return {
        type: "resolve-challenge",
        value: { version: PRODUCT_PAYLOAD_VERSION, epoch, validator, verdict, signatures },
      };
    });
  }
}
