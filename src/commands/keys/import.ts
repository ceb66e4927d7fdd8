import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { passwordFlag } from "../../cli/flags.js";
import { keystoreFor } from "../../cli/home.js";
import { isInteractive, prompt, readStdin } from "../../cli/io.js";
import { importKey } from "../../keystore/keys-service.js";

export default class KeysImport extends BaseCommand {
  static override summary = "Import a key from a bip39 mnemonic.";
  static override description =
    "Reads the mnemonic from --mnemonic, from stdin when piped, or from a prompt on a terminal. Unknown words " +
    "and bad checksums are reported with the offending word.";
  static override examples = [
    'echo "$MNEMONIC" | <%= config.bin %> keys import alice',
    '<%= config.bin %> keys import alice --mnemonic "word1 word2 … word24"',
    "<%= config.bin %> keys import alice2 --index 1 < mnemonic.txt",
  ];
  static override args = { name: Args.string({ description: "Name for the imported key", required: true }) };
  static override flags = {
    mnemonic: Flags.string({ description: "The mnemonic (visible in shell history: prefer stdin)" }),
    index: Flags.integer({ description: "Account index i in m/44'/7777'/0'/0'/i'", default: 0, min: 0 }),
    force: Flags.boolean({ description: "Overwrite an existing key with the same name" }),
    password: passwordFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysImport);
    let mnemonic = flags.mnemonic;
    if (mnemonic === undefined) {
      mnemonic = isInteractive() ? await prompt("Mnemonic: ") : await readStdin();
    }
    if (!mnemonic.trim()) {
      throw new UserError("KEY_NO_MNEMONIC", "no mnemonic given", {
        hint: "pass --mnemonic or pipe it on stdin",
      });
    }
    const key = await importKey(keystoreFor(flags.home), {
      name: args.name,
      mnemonic,
      index: flags.index,
      password: flags.password,
      now: new Date(),
      overwrite: flags.force,
    });
    this.emit({ ...key.record, path: key.path }, (r) => {
      this.log(`Imported key "${r.name}"${r.encrypted ? " (encrypted)" : ""}`);
      this.log(`  address:    ${r.address}`);
      this.log(`  public key: ${r.publicKey}`);
      this.log(`  path:       ${r.path}`);
    });
  }
}
