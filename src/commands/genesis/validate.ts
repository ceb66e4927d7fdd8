import { readFileSync } from "node:fs";
import { Args } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { hashGenesis, validateGenesis } from "../../core/chain/genesis.js";
import { toHex } from "../../core/codec/index.js";

export default class GenesisValidate extends BaseCommand {
  static override summary = "Check a genesis file; errors name the JSON path of each bad field.";
  static override examples = [
    "<%= config.bin %> genesis validate genesis.json",
    "<%= config.bin %> genesis validate genesis.json --json | jq -r .hash",
  ];
  static override args = { file: Args.string({ description: "Genesis JSON file", required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(GenesisValidate);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(args.file, "utf8"));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UserError(
        e.code === "ENOENT" ? "FILE_NOT_FOUND" : "GENESIS_NOT_JSON",
        e.code === "ENOENT" ? `${args.file}: no such file` : `${args.file}: not valid JSON (${e.message})`,
        {
          hint:
            e.code === "ENOENT"
              ? "check the path; `fastpos genesis new --out FILE` writes one"
              : "a genesis file is JSON, as `fastpos genesis new` writes it",
        },
      );
    }
    const genesis = validateGenesis(json);
    const result = {
      file: args.file,
      valid: true,
      chainId: genesis.chainId,
      hash: toHex(hashGenesis(genesis)),
      validators: genesis.validators.length,
      accounts: genesis.accounts.length,
    };
    this.emit(result, (r) => {
      this.log(`${r.file} is valid: chain ${r.chainId}, ${r.validators} validators, ${r.accounts} accounts`);
      this.log(`genesis hash ${r.hash}`);
    });
  }
}
