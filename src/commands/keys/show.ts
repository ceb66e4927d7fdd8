import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { devnetInPlay, findKey, shadowWarning, sourceLabel } from "../../cli/key-resolve.js";
import { resolveHome } from "../../keystore/home.js";

export default class KeysShow extends BaseCommand {
  static override summary = "Show a key's address and public key (never its secret; no password needed).";
  static override description =
    "Finds the name like `--from` does: in the devnet (the only one, or --devnet), then in the keystore.";
  static override examples = [
    "<%= config.bin %> keys show alice",
    "<%= config.bin %> keys show alice --json | jq -r .address",
  ];
  static override args = { name: Args.string({ description: "Key name", required: true }) };
  static override flags = { devnet: devnetFlag({ description: "Devnet whose keys to search first" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysShow);
    const home = resolveHome(flags.home);
    const k = await findKey(home, args.name, devnetInPlay(home, flags.devnet));
    const w = shadowWarning(k);
    if (w) this.note(w);
    this.emit({ ...k.record, source: sourceLabel(k.source) }, (r) => {
      this.log(`name:       ${r.name}`);
      this.log(`source:     ${r.source}`);
      this.log(`address:    ${r.address}`);
      this.log(`public key: ${r.publicKey}`);
      this.log(`kind:       ${r.kind}`);
      this.log(`encrypted:  ${r.encrypted ? "yes" : "no"}`);
      this.log(`created:    ${r.createdAt}`);
    });
  }
}
