import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { devnetFlag } from "../../../cli/flags.js";
import { loadSnapshot } from "../../../devnet/snapshot.js";
import { resolveHome } from "../../../keystore/home.js";

export default class DevnetSnapshotLoad extends BaseCommand {
  static override summary = "Start a saved devnet again from the height it was saved at.";
  static override description =
    "Recreates the devnet's nodes (fresh ports), restores the saved chain into each and starts them; the " +
    "chain goes on from the saved height. The devnet it replaces must be down, or pass --force.";
  static override examples = [
    "<%= config.bin %> devnet snapshot load before-upgrade",
    "<%= config.bin %> devnet snapshot load s1 --devnet copy --json",
    "<%= config.bin %> devnet snapshot load s1 --force",
  ];
  static override args = { name: Args.string({ description: "Snapshot name", required: true }) };
  static override flags = {
    devnet: devnetFlag({ description: "Devnet name to load it as [default: the saved devnet's name]" }),
    force: Flags.boolean({ description: "Take down and replace an existing devnet of that name" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetSnapshotLoad);
    const r = await loadSnapshot(resolveHome(flags.home), args.name, {
      devnet: flags.devnet,
      force: flags.force,
      onProgress: (m) => this.note(m),
    });
    this.emit(
      { name: r.snapshot.name, savedHeight: r.snapshot.height, height: r.height, devnet: r.devnet },
      (o) =>
        this.log(
          `devnet ${o.devnet.name} loaded from snapshot ${o.name} (height ${o.savedHeight}); now at height ${o.height}`,
        ),
    );
  }
}
