import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag, passwordFlag } from "../../cli/flags.js";
import { devnetInPlay, findKey, shadowWarning, sourceLabel } from "../../cli/key-resolve.js";
import { passwordFor } from "../../cli/password-prompt.js";
import { resolveHome } from "../../keystore/home.js";
import { exportKey } from "../../keystore/keys-service.js";

export default class KeysExport extends BaseCommand {
  static override summary = "Print a key's secret (its mnemonic) so it can be imported elsewhere.";
  static override examples = [
    "<%= config.bin %> keys export alice",
    "<%= config.bin %> keys export alice --json | jq -r .mnemonic | <%= config.bin %> keys import alice --home /other",
  ];
  static override args = { name: Args.string({ description: "Key name", required: true }) };
  static override flags = {
    password: passwordFlag,
    devnet: devnetFlag({ description: "Devnet whose keys to search first (as --from does)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysExport);
    const home = resolveHome(flags.home);
    const k = await findKey(home, args.name, devnetInPlay(home, flags.devnet));
    const w = shadowWarning(k);
    if (w) this.note(w);
    const { record, secret } = await exportKey(k.keystore, args.name, {
      password: await passwordFor(k.record, flags.password),
    });
    this.note("WARNING: anyone who sees this secret controls the key.");
    this.emit(
      { name: record.name, address: record.address, source: sourceLabel(k.source), ...secret },
      (r) => {
        if ("mnemonic" in r) {
          this.log(r.mnemonic);
          if (r.index !== 0) this.note(`(account index ${r.index}: import with --index ${r.index})`);
        } else {
          this.log(r.secretKey);
        }
      },
    );
  }
}
