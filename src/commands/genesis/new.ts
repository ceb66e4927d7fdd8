import { existsSync, writeFileSync } from "node:fs";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { passwordFlag } from "../../cli/flags.js";
import { keystoreFor } from "../../cli/home.js";
import { genesisToJson, hashGenesis } from "../../core/chain/genesis.js";
import { PRESET_NAMES, type PresetName } from "../../core/chain/params.js";
import { toHex } from "../../core/codec/index.js";
import { buildGenesis } from "../../devnet/genesis-inputs.js";

export default class GenesisNew extends BaseCommand {
  static override summary = "Create a genesis file (deterministic: same inputs, same bytes, same hash).";
  static override description =
    "With no flags, writes the default devnet genesis: 4 validators and their funded operator accounts derived " +
    "from the PUBLIC dev mnemonic (never hold value under it). --validator NAME uses keys from your keystore " +
    "instead (operator = the key's account, consensus key = the same mnemonic's consensus path).";
  static override examples = [
    "<%= config.bin %> genesis new --out genesis.json",
    "<%= config.bin %> genesis new --validators 5 --preset dev --chain-id my-devnet --out genesis.json",
    "<%= config.bin %> genesis new --validator alice --validator bob --account fp1…=1000000 --out genesis.json",
    "<%= config.bin %> genesis new --json | jq -r .hash",
  ];
  static override flags = {
    "chain-id": Flags.string({ description: "Chain id [default: fastpos-devnet]" }),
    validators: Flags.integer({
      char: "n",
      description: "Number of dev validators [default: 4]",
      min: 1,
      max: 1000,
      exclusive: ["validator"],
    }),
    validator: Flags.string({ description: "Keystore key to make a validator (repeatable)", multiple: true }),
    account: Flags.string({
      description: "Funded account ADDRESS=AMOUNT or KEYNAME=AMOUNT (repeatable)",
      multiple: true,
    }),
    stake: Flags.string({ description: "Stake of each validator [default: 1000000]" }),
    preset: Flags.string({ description: "Parameter preset", options: [...PRESET_NAMES], default: "dev" }),
    "genesis-time": Flags.string({
      description: "ISO 8601 UTC genesis time [default: 2026-01-01T00:00:00.000Z]",
    }),
    out: Flags.string({ char: "o", description: "Write to this file instead of stdout" }),
    force: Flags.boolean({ char: "f", description: "Overwrite --out if it exists" }),
    password: passwordFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GenesisNew);
    if (flags.stake !== undefined && !/^[1-9]\d*$/.test(flags.stake)) {
      throw new UserError("GENESIS_BAD_STAKE", `--stake must be a positive integer, got "${flags.stake}"`);
    }
    if (flags.out && existsSync(flags.out) && !flags.force) {
      throw new UserError("FILE_EXISTS", `${flags.out} already exists`, {
        hint: "pass --force to overwrite",
      });
    }
    const genesis = await buildGenesis(
      {
        chainId: flags["chain-id"],
        genesisTime: flags["genesis-time"],
        preset: flags.preset as PresetName,
        validators: flags.validators,
        validatorKeys: flags.validator,
        stake: flags.stake === undefined ? undefined : BigInt(flags.stake),
        accounts: flags.account,
        password: flags.password,
      },
      keystoreFor(flags.home),
    );
    const text = genesisToJson(genesis);
    const hash = toHex(hashGenesis(genesis));
    if (flags.out) writeFileSync(flags.out, text);
    const summary = {
      ...(flags.out ? { file: flags.out } : {}),
      chainId: genesis.chainId,
      hash,
      validators: genesis.validators.length,
      accounts: genesis.accounts.length,
    };
    if (this.jsonMode) {
      this.emit(flags.out ? summary : { ...summary, genesis: JSON.parse(text) }, () => {});
    } else if (flags.out) {
      this.log(
        `Wrote ${flags.out}: chain ${genesis.chainId}, ${summary.validators} validators, ${summary.accounts} accounts`,
      );
      this.log(`genesis hash ${hash}`);
    } else {
      process.stdout.write(text);
    }
  }
}
