import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { EQUIVOCATE_KINDS, setByzantine } from "../../devnet/byzantine.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetByzantine extends BaseCommand {
  static override summary = "Restart a devnet validator as a byzantine one that signs conflicting messages.";
  static override description =
    "For tests and demos of slashing: the node signs a second, conflicting prevote, precommit or proposal " +
    "for each one it signs, bypassing its double-sign guard, so the other validators commit evidence and " +
    "slash and tombstone it. With --split each half of its peers gets a different one of the two and no peer " +
    "both (targeted equivocation: the network must find it). Needs --unsafe; refused unless the chain id is a " +
    "devnet's. --off makes it honest again.";
  static override args = {
    node: Args.string({ description: "Node name (node0…) or index", required: true }),
  };
  static override examples = [
    "<%= config.bin %> devnet byzantine node4 --equivocate prevote --unsafe",
    "<%= config.bin %> devnet byzantine 4 --equivocate proposal --unsafe --json",
    "<%= config.bin %> devnet byzantine node4 --equivocate precommit --split --unsafe",
    "<%= config.bin %> devnet byzantine node4 --off",
  ];
  static override flags = {
    devnet: devnetFlag(),
    equivocate: Flags.string({
      description: "What to sign twice",
      options: [...EQUIVOCATE_KINDS],
      exactlyOne: ["equivocate", "off"],
    }),
    split: Flags.boolean({
      description: "Send each half of its peers a different one of the two messages, no peer both",
      dependsOn: ["equivocate"],
    }),
    off: Flags.boolean({ description: "Make the node honest again (restarts it)" }),
    unsafe: Flags.boolean({ description: "Confirm: this validator will be slashed and tombstoned" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetByzantine);
    const home = resolveHome(flags.home);
    const equivocate = (flags.equivocate ?? null) as (typeof EQUIVOCATE_KINDS)[number] | null;
    const r = await setByzantine(home, pickDevnet(home, flags.devnet), args.node, {
      equivocate,
      unsafe: flags.unsafe,
      split: flags.split,
    });
    this.emit(r, (o) =>
      this.log(
        o.equivocate
          ? `${o.node} restarted as BYZANTINE (equivocates on ${o.equivocate}${o.split ? ", split between its peers" : ""}); expect it to be slashed and tombstoned`
          : `${o.node} restarted honest`,
      ),
    );
  }
}
