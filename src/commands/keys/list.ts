import { BaseCommand } from "../../cli/base-command.js";
import { keystoreFor } from "../../cli/home.js";

export default class KeysList extends BaseCommand {
  static override summary = "List the keys in the keystore.";
  static override examples = [
    "<%= config.bin %> keys list",
    "<%= config.bin %> keys list --json | jq -r '.keys[].name'",
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysList);
    const keys = await keystoreFor(flags.home).list();
    this.emit({ keys }, ({ keys }) => {
      if (keys.length === 0) {
        this.log("No keys yet. Create one with `fastpos keys new --name alice`.");
        return;
      }
      const width = Math.max(4, ...keys.map((k) => k.name.length));
      this.log(`${"NAME".padEnd(width)}  ${"ADDRESS".padEnd(41)}  KIND       ENCRYPTED`);
      for (const k of keys) {
        this.log(
          `${k.name.padEnd(width)}  ${k.address.padEnd(41)}  ${k.kind.padEnd(9)}  ${k.encrypted ? "yes" : "no"}`,
        );
      }
    });
  }
}
