import { resolve } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { backupHome } from "../../node/backup/home-backup.js";

export default class NodeBackup extends BaseCommand {
  static override summary = "Back up a node's database (and signer state) into one file, running or stopped.";
  static override description =
    "A stopped node's database is read directly, after checking it against its last block's stateRoot. " +
    "A running node is asked through its admin API to write the backup itself from one database snapshot " +
    "(consistent at one height while it keeps committing). Keys are not included: back them up apart. " +
    "Restore with `fastpos node restore`.";
  static override examples = [
    "<%= config.bin %> node backup --home ./node0 --out node0.fpbak",
    "<%= config.bin %> node backup --home ./node0 --out /backups/node0-$(date +%F).fpbak --json",
  ];
  static override flags = {
    home: Flags.string({ description: "Node home directory", required: true }),
    out: Flags.string({ description: "Backup file to write", required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeBackup);
    const r = await backupHome(resolve(flags.home), resolve(flags.out), {
      onProgress: (m) => this.note(m),
    });
    this.emit(r, (o) =>
      this.log(
        `backup of height ${o.height} written to ${o.file} (from the ${o.source === "api" ? "running node" : "stopped node's database"})`,
      ),
    );
  }
}
