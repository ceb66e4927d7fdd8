import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { partitionDevnet } from "../../devnet/faults.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetPartition extends BaseCommand {
  static override summary = "Split a devnet into groups that cannot reach each other (no root needed).";
  static override description =
    "Each argument is a comma-separated group of nodes; nodes not named form one more group. Every p2p link " +
    "between groups is dropped both ways through the nodes' admin fault API. `devnet heal` undoes it; a " +
    "restart clears it unless --persist.";
  static override strict = false;
  static override args = {
    groups: Args.string({ description: "Groups, e.g. node0,node1 node2,node3,node4", required: true }),
  };
  static override examples = [
    "<%= config.bin %> devnet partition node0,node1 node2,node3,node4",
    "<%= config.bin %> devnet partition node4 --persist --json",
  ];
  static override flags = {
    devnet: devnetFlag(),
    persist: Flags.boolean({ description: "Keep the partition across node restarts (until `devnet heal`)" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(DevnetPartition);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const groups = (argv as string[]).map((g) => g.split(",").filter(Boolean));
    const r = await partitionDevnet(d, groups, { persist: flags.persist });
    this.emit(r, (o) => {
      this.log(
        `partitioned: ${o.groups.map((g) => g.join(",")).join(" | ")}${flags.persist ? " (persisted)" : ""}`,
      );
      for (const c of o.nodes.filter((x) => x.result !== "set"))
        this.log(`  ${c.node}: ${c.result} (${c.reason})`);
    });
  }
}
