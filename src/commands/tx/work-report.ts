import { Flags } from "@oclif/core";
import { epochFlag, epochOrCurrent, hashFlag, parseHash } from "../../cli/product-flags.js";
import { parseAmount, TxCommand, txFlags } from "../../cli/tx-command.js";
import { PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";

export default class TxWorkReport extends TxCommand {
  static override summary =
    "Report a validator's work for an epoch, committed to by a proof hash (operator only).";
  static override examples = [
    "<%= config.bin %> tx work-report --from node0 --work-units 1200 --proof-hash 0x… --uri https://… --wait",
  ];
  static override flags = {
    ...txFlags,
    validator: Flags.string({ description: "Validator [default: the --from key's own]" }),
    epoch: epochFlag,
    "work-units": Flags.string({ description: "Units of work done in the epoch", required: true }),
    "proof-hash": hashFlag("SHA-256 commitment to the evidence (docs/product-layer.md)"),
    uri: Flags.string({ description: "Where a verifier fetches the evidence", default: "" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxWorkReport);
    await this.submit(
      flags,
      async (c) => ({
        type: "work-report",
        value: {
          version: PRODUCT_PAYLOAD_VERSION,
          epoch: await epochOrCurrent(c, flags.epoch),
          validator: flags.validator ? await c.validator(flags.validator) : await c.ownValidator(),
          workUnits: parseAmount("work-units", flags["work-units"]),
          proofHash: parseHash("proof-hash", flags["proof-hash"]),
          uri: flags.uri,
        },
      }),
      (p) => (p.type === "work-report" ? { epoch: p.value.epoch.toString() } : {}),
    );
  }
}
