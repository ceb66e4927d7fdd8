import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";
import { parseValidator } from "../../cli/tx-command.js";
import { toHex } from "../../core/codec/index.js";

export default class QueryWorkReport extends BaseCommand {
  static override summary =
    "Show a validator's work report for an epoch: attestation, challenge, vesting reward.";
  static override examples = ["<%= config.bin %> query work-report --validator node1 --epoch 3 --json"];
  static override flags = {
    ...targetFlags,
    validator: Flags.string({ description: "Validator (fp1…, 0x…, or devnet node name)", required: true }),
    epoch: Flags.string({ description: "Epoch", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryWorkReport);
    if (!/^\d{1,19}$/.test(flags.epoch))
      throw new UserError("BAD_EPOCH", `--epoch must be a non-negative integer, got "${flags.epoch}"`);
    const t = resolveTarget(flags.home, flags);
    const v = parseValidator(flags.validator, t.devnet?.nodes);
    const r = await clientFor(t.url).workReport(BigInt(flags.epoch), toHex(v));
    this.emit(r, (x) => {
      this.log(
        `epoch ${x.epoch} ${x.validator}: ${x.workUnits} units, ${x.status}, score ${x.score ?? "not attested"}`,
      );
      this.log(`  proof ${x.proofHash} ${x.uri}`);
      this.log(`  report hash ${x.reportHash}; vesting reward ${x.vesting}`);
      if (x.challenge) this.log(`  challenged by ${x.challenge.challenger} (bond ${x.challenge.bond})`);
    });
  }
}
