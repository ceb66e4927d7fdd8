import { Flags } from "@oclif/core";
import { UserError } from "../../cli/errors.js";
import { oracleKeyFlag, oracleSigners } from "../../cli/product-flags.js";
import { TxCommand, txFlags } from "../../cli/tx-command.js";
import { signQuorum } from "../../core/chain/apply/oracle-quorum.js";
import { OracleCommitteeCodec, PRODUCT_PAYLOAD_VERSION } from "../../core/chain/product-tx.js";
import { fromHex } from "../../core/codec/index.js";

export default class TxOracleRotate extends TxCommand {
  static override summary = "Replace the oracle committee, signed by M members of the current one.";
  static override examples = [
    "<%= config.bin %> tx oracle-rotate --from product-user --oracle-key oracle-0 --oracle-key oracle-1 --member 0x… --member 0x… --threshold 2 --wait",
  ];
  static override flags = {
    ...txFlags,
    "oracle-key": oracleKeyFlag,
    member: Flags.string({
      description: "Public key (0x-hex) of a new member (repeat)",
      multiple: true,
      required: true,
    }),
    threshold: Flags.integer({
      description: "Signatures the new committee needs",
      required: true,
      min: 1,
      max: 32,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxOracleRotate);
    await this.submit(flags, async (c) => {
      const members = flags.member.map((m) => {
        if (!/^0x[0-9a-fA-F]{64}$/.test(m))
          throw new UserError("BAD_KEY", `--member must be a 32-byte public key in 0x-hex, got "${m}"`, {
            hint: "`fastpos keys show NAME --json` prints a key's publicKey",
          });
        return fromHex(m.toLowerCase(), 32);
      });
      const { committee } = await c.client.oracle();
      const next = { version: BigInt(committee?.version ?? "0") + 1n, threshold: flags.threshold, members };
      const status = await c.client.status();
      const signers = await oracleSigners(c, flags["oracle-key"]);
      const signatures = signQuorum(OracleCommitteeCodec, "oracleRotate", status.chainId, next, signers);
      return { type: "oracle-rotate", value: { version: PRODUCT_PAYLOAD_VERSION, next, signatures } };
    });
  }
}
