import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { passwordFlag } from "../../cli/flags.js";
import { keystoreFor } from "../../cli/home.js";
import { canPrompt, newPassword } from "../../cli/password-prompt.js";
import { createKey } from "../../keystore/keys-service.js";

export default class KeysNew extends BaseCommand {
  static override summary = "Create a new account key from a fresh bip39 mnemonic.";
  static override description =
    "Derives an ed25519 key (SLIP-10, m/44'/7777'/0'/0'/0') from a new mnemonic and stores it in the keystore " +
    "(<home>/keys/NAME.json, mode 0600). The mnemonic is printed once: write it down. Plaintext by default " +
    "(devnets); encrypted with scrypt + AES-256-GCM when --password or FASTPOS_PASSWORD is set, or with --encrypt at a " +
    "hidden prompt. Commands that sign with an encrypted key prompt for its password on a terminal.";
  static override examples = [
    "<%= config.bin %> keys new --name alice",
    "<%= config.bin %> keys new --name bob --words 12 --json | jq -r .address",
    "FASTPOS_PASSWORD=s3cret <%= config.bin %> keys new --name treasury",
    "<%= config.bin %> keys new --name vault --encrypt   # asks for the password (hidden)",
  ];
  static override flags = {
    name: Flags.string({ char: "n", description: "Key name [default: default, then key-2, key-3…]" }),
    words: Flags.integer({ description: "Mnemonic length", options: ["12", "24"], default: 24 }),
    password: passwordFlag,
    encrypt: Flags.boolean({
      description:
        "Encrypt the key with a password typed at a hidden prompt (twice); needs a terminal or --password",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysNew);
    const ks = keystoreFor(flags.home);
    let password = flags.password;
    if (flags.encrypt && password === undefined) {
      if (!canPrompt())
        throw new UserError("PASSWORD_REQUIRED", "--encrypt needs a terminal to ask for the password", {
          hint: "pass --password or set FASTPOS_PASSWORD when there is no terminal",
        });
      password = await newPassword(flags.name ?? "new key");
    }
    const key = await createKey(ks, {
      name: flags.name,
      words: flags.words === 12 ? 12 : 24,
      password,
      now: new Date(),
    });
    this.emit({ ...key.record, path: key.path, mnemonic: key.mnemonic }, (r) => {
      this.log(`Created key "${r.name}"${r.encrypted ? " (encrypted)" : ""}`);
      this.log(`  address:    ${r.address}`);
      this.log(`  public key: ${r.publicKey}`);
      this.log(`  path:       ${r.path}`);
      this.log("");
      this.log("  mnemonic (shown only now; anyone with it controls the key):");
      this.log(`  ${r.mnemonic}`);
    });
  }
}
