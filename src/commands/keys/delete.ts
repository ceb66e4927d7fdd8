import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { keystoreFor } from "../../cli/home.js";
import { confirm, isInteractive } from "../../cli/io.js";

export default class KeysDelete extends BaseCommand {
  static override summary = "Delete a key from the keystore.";
  static override description = "Asks for confirmation on a terminal; scripts must pass --force.";
  static override examples = [
    "<%= config.bin %> keys delete alice",
    "<%= config.bin %> keys delete alice --force --json",
  ];
  static override args = { name: Args.string({ description: "Key name", required: true }) };
  static override flags = { force: Flags.boolean({ char: "f", description: "Do not ask for confirmation" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysDelete);
    const ks = keystoreFor(flags.home);
    const record = await ks.get(args.name);
    if (!flags.force) {
      if (!isInteractive() || this.jsonMode) {
        throw new UserError(
          "KEY_DELETE_UNCONFIRMED",
          `refusing to delete "${args.name}" without confirmation`,
          {
            hint: "pass --force",
          },
        );
      }
      if (!(await confirm(`Delete key "${record.name}" (${record.address})? This cannot be undone.`))) {
        throw new UserError("KEY_DELETE_UNCONFIRMED", "not deleted");
      }
    }
    await ks.remove(args.name);
    this.emit({ deleted: record.name, address: record.address }, (r) =>
      this.log(`Deleted key "${r.deleted}".`),
    );
  }
}
