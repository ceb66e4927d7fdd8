import { resolve } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { restoreHome } from "../../node/backup/restore.js";

export default class NodeRestore extends BaseCommand {
  static override summary = "Restore a node's database from a backup (the node must be stopped).";
  static override description =
    "The backup is verified completely (digest, chain, state root) before the home changes; an existing " +
    "database is moved aside to data/db.replaced-<time>, never deleted. Signer safety: the newest of the " +
    "home's and the backup's signer state is kept, and a validator home without a signer state of its own " +
    "is refused unless --force-old-signer-state (see docs/operations.md).";
  static override examples = [
    "<%= config.bin %> node restore --in node0.fpbak --home ./node0",
    "<%= config.bin %> node restore --in node0.fpbak --home ./node0 --force",
  ];
  static override flags = {
    home: Flags.string({
      description: "Node home directory (created by `fastpos node init`)",
      required: true,
    }),
    in: Flags.string({ description: "Backup file (from `fastpos node backup`)", required: true }),
    force: Flags.boolean({ description: "Replace an existing database (moved aside, not deleted)" }),
    "force-old-signer-state": Flags.boolean({
      description:
        "On a validator home with no signer state, accept the backup's older one. Only if this validator cannot have signed since the backup: it could double-sign otherwise",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeRestore);
    const r = await restoreHome(resolve(flags.home), resolve(flags.in), {
      force: flags.force,
      forceOldSignerState: flags["force-old-signer-state"],
    });
    this.emit(r, (o) => {
      this.log(`restored height ${o.height} (${o.entries} entries) into ${o.home}`);
      if (o.replaced) this.log(`  the previous database was moved to ${o.replaced}`);
      this.log(
        o.signer === "none"
          ? "  no signer state (not a validator, or it never signed)"
          : `  signer state: the ${o.signer === "home" ? "home's own (newer)" : "backup's"}, at ${o.signerAt}`,
      );
    });
  }
}
