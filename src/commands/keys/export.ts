import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { passwordFlag } from "../../cli/flags.js";
import { keystoreFor } from "../../cli/home.js";
import { exportKey } from "../../keystore/keys-service.js";

export default class KeysExport extends BaseCommand {
  static override summary = "Print a key's secret (its mnemonic) so it can be imported elsewhere.";
  static override examples = [
    "<%= config.bin %> keys export alice",
    "<%= config.bin %> keys export alice --json | jq -r .mnemonic | <%= config.bin %> keys import alice --home /other",
  ];
  static override args = { name: Args.string({ description: "Key name", required: true }) };
  static override flags = { password: passwordFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysExport);
    const { record, secret } = await exportKey(keystoreFor(flags.home), args.name, {
      password: flags.password,
    });
    this.note("WARNING: anyone who sees this secret controls the key.");
    this.emit({ name: record.name, address: record.address, ...secret }, (r) => {
      if ("mnemonic" in r) {
        this.log(r.mnemonic);
        if (r.index !== 0) this.note(`(account index ${r.index}: import with --index ${r.index})`);
      } else {
        this.log(r.secretKey);
      }
    });
  }
}
