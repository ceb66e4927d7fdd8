import { Args } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { removeSnapshot } from "../../../devnet/snapshot.js";
import { resolveHome } from "../../../keystore/home.js";

export default class DevnetSnapshotRm extends BaseCommand {
  static override summary = "Delete a saved devnet snapshot.";
  static override examples = ["<%= config.bin %> devnet snapshot rm before-upgrade"];
  static override args = { name: Args.string({ description: "Snapshot name", required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetSnapshotRm);
    const r = removeSnapshot(resolveHome(flags.home), args.name);
    this.emit({ removed: r.name }, (o) => this.log(`snapshot ${o.removed} removed`));
  }
}
