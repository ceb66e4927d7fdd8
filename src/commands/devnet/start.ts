import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { devnetFlag } from "../../cli/flags.js";
import { describeResult, NODE_ACTION_SUMMARY, nodeActionExamples } from "../../cli/node-action-command.js";
import { controlNode } from "../../devnet/control.js";
import { pickDevnet, readDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

/** `devnet start NODE` or `devnet start --all` (e.g. after `devnet down --keep-data`). */
export default class DevnetStart extends BaseCommand {
  static override summary = `${NODE_ACTION_SUMMARY.start} --all starts every node.`;
  static override examples = [...nodeActionExamples("start"), "<%= config.bin %> devnet start --all"];
  static override args = {
    node: Args.string({ description: "Node name (node0…) or index (or --all)" }),
  };
  static override flags = {
    devnet: devnetFlag(),
    all: Flags.boolean({
      description: "Start every node that is not running (e.g. after `down --keep-data`)",
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetStart);
    if (!args.node === !flags.all)
      throw new UserError(
        "USAGE",
        args.node ? "give a node or --all, not both" : "give a node name or --all",
        {
          hint: "e.g. `fastpos devnet start node2` or `fastpos devnet start --all`",
        },
      );
    const home = resolveHome(flags.home);
    const d = pickDevnet(home, flags.devnet);
    if (!flags.all) {
      const r = await controlNode(home, d, args.node as string, "start");
      this.emit(r, (o) => this.log(describeResult(o)));
      return;
    }
    const results = [];
    // One at a time: each start re-reads devnet.json so the recorded pids never race.
    for (const n of d.nodes) results.push(await controlNode(home, readDevnet(home, d.name), n.name, "start"));
    this.emit({ name: d.name, results }, (o) => {
      for (const r of o.results) this.log(describeResult(r));
    });
  }
}
