import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QuerySlashing extends BaseCommand {
  static override summary = "Show a validator's jail, tombstone, missed blocks and slashed total.";
  static override examples = [
    "<%= config.bin %> query slashing node3",
    "<%= config.bin %> query slashing fp1… --json",
  ];
  static override args = {
    validator: Args.string({
      description: "validator name (as in `query validators`) or consensus address (fp1… or 0x…)",
      required: true,
    }),
  };
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(QuerySlashing);
    const client = clientFor(resolveTarget(flags.home, flags).url);
    let ref = args.validator;
    if (!/^(fp1|0x)/i.test(ref)) {
      const { validators } = await client.validators();
      const v = validators.find((x) => x.name === ref);
      if (!v) {
        throw new UserError("UNKNOWN_VALIDATOR", `no validator named "${ref}"`, {
          hint: `known: ${validators.map((x) => x.name).join(", ") || "none"}; or pass a consensus address`,
        });
      }
      ref = v.address;
    }
    const s = await client.slashing(ref);
    this.emit(s, (r) => {
      const state = r.tombstoned
        ? "tombstoned (double-signed: jailed for ever)"
        : r.jailed
          ? `jailed for ${r.jailReason}, unjail accepted from height ${r.jailedUntil}`
          : r.status;
      this.log(`${r.consensusAddress} at height ${r.height}: ${state}`);
      this.log(
        `missed ${r.missedBlocks} of the last ${r.signedBlocksWindow} blocks (jailed past ${r.maxMissedBlocks}); slashed ${r.slashed} in total`,
      );
    });
  }
}
