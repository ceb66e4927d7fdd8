import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../../cli/base-command.js";
import { devnetFlag } from "../../../cli/flags.js";
import { saveSnapshot } from "../../../devnet/snapshot.js";
import { pickDevnet } from "../../../devnet/state.js";
import { resolveHome } from "../../../keystore/home.js";

export default class DevnetSnapshotSave extends BaseCommand {
  static override summary = "Save a whole devnet at one height (it keeps running) to load it again later.";
  static override description =
    "The node with the highest height writes one consistent backup of the chain; every node's home (keys, " +
    "config, signer state) is saved beside it. Snapshots live in $FASTPOS_HOME/snapshots/NAME.";
  static override examples = [
    "<%= config.bin %> devnet snapshot save before-upgrade",
    "<%= config.bin %> devnet snapshot save s1 -d big --json",
  ];
  static override args = { name: Args.string({ description: "Snapshot name", required: true }) };
  static override flags = {
    devnet: devnetFlag(),
    force: Flags.boolean({ description: "Replace a snapshot of the same name" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetSnapshotSave);
    const home = resolveHome(flags.home);
    const r = await saveSnapshot(home, pickDevnet(home, flags.devnet), args.name, {
      force: flags.force,
      onProgress: (m) => this.note(m),
    });
    this.emit(r, (o) =>
      this.log(
        `snapshot ${o.name}: devnet ${o.devnet} at height ${o.height} (${o.nodes.length} nodes, ${o.bytes} bytes)`,
      ),
    );
  }
}
