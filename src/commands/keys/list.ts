import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { allKeys } from "../../cli/key-resolve.js";
import { listDevnets, readDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class KeysList extends BaseCommand {
  static override summary = "List the keys `--from`/`--to` can use: the keystore's and each devnet's.";
  static override description =
    "SOURCE says where a key lives: `keystore` (<home>/keys) or `devnet NAME` (the keys `devnet up` funded). " +
    "A command talking to a devnet looks a name up in that devnet first, then in the keystore (keystore first with --node); " +
    "a name in both places is marked shadowed.";
  static override examples = [
    "<%= config.bin %> keys list",
    "<%= config.bin %> keys list -d local",
    "<%= config.bin %> keys list --json | jq -r '.keys[] | select(.source == \"keystore\") | .name'",
  ];
  static override flags = {
    devnet: devnetFlag({ description: "Only this devnet's keys (and the keystore's)" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysList);
    const home = resolveHome(flags.home);
    const devnets = flags.devnet
      ? [readDevnet(home, flags.devnet).name]
      : listDevnets(home).map((d) => d.name);
    const keys = await allKeys(home, devnets);
    this.emit({ keys }, ({ keys }) => {
      if (keys.length === 0) {
        this.log("No keys yet. Create one with `fastpos keys new --name alice` (or start a devnet).");
        return;
      }
      const width = Math.max(4, ...keys.map((k) => k.name.length));
      const sw = Math.max(6, ...keys.map((k) => k.source.length));
      this.log(
        `${"NAME".padEnd(width)}  ${"SOURCE".padEnd(sw)}  ${"ADDRESS".padEnd(41)}  KIND       ENCRYPTED`,
      );
      for (const k of keys) {
        this.log(
          `${k.name.padEnd(width)}  ${k.source.padEnd(sw)}  ${k.address.padEnd(41)}  ${k.kind.padEnd(9)}  ${k.encrypted ? "yes" : "no "}${k.shadowed ? "  (shadowed: same name elsewhere)" : ""}`,
        );
      }
    });
  }
}
