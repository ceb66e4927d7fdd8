import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { keystoreFor } from "../../cli/home.js";

export default class KeysShow extends BaseCommand {
  static override summary = "Show a key's address and public key (never its secret).";
  static override examples = [
    "<%= config.bin %> keys show alice",
    "<%= config.bin %> keys show alice --json | jq -r .address",
  ];
  static override args = { name: Args.string({ description: "Key name", required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysShow);
    const record = await keystoreFor(flags.home).get(args.name);
    this.emit(record, (r) => {
      this.log(`name:       ${r.name}`);
      this.log(`address:    ${r.address}`);
      this.log(`public key: ${r.publicKey}`);
      this.log(`kind:       ${r.kind}`);
      this.log(`encrypted:  ${r.encrypted ? "yes" : "no"}`);
      this.log(`created:    ${r.createdAt}`);
    });
  }
}
