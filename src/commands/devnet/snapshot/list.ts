import { BaseCommand } from "../../../cli/base-command.js";
import { listSnapshots } from "../../../devnet/snapshot.js";
import { resolveHome } from "../../../keystore/home.js";

export default class DevnetSnapshotList extends BaseCommand {
  static override summary = "List saved devnet snapshots.";
  static override examples = [
    "<%= config.bin %> devnet snapshot list",
    "<%= config.bin %> devnet snapshot list --json",
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetSnapshotList);
    const snapshots = listSnapshots(resolveHome(flags.home));
    this.emit({ snapshots }, (o) => {
      if (!o.snapshots.length)
        return this.log("No snapshots. Save one with `fastpos devnet snapshot save NAME`.");
      for (const s of o.snapshots)
        this.log(
          `${s.name.padEnd(16)} devnet ${s.devnet.padEnd(10)} height ${s.height.padEnd(8)} ${s.nodes.length} nodes  ${s.createdAt}`,
        );
    });
  }
}
