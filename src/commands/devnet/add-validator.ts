import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { spinner } from "../../cli/progress.js";
import { parseAmount } from "../../cli/tx-command.js";
import { pickDevnet } from "../../devnet/state.js";
import { ADD_VALIDATOR_SYNC_TIMEOUT_MS, addValidator } from "../../devnet/validators.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetAddValidator extends BaseCommand {
  static override summary = "Add a validator to a running devnet through a real bond transaction.";
  static override description =
    "Creates keys, funds the new operator from --from, starts a node that syncs the chain, then bonds --stake and " +
    "reports the epoch at which the validator becomes active. Run it again with the same --name after a failure " +
    "(e.g. exit 3 while syncing): it resumes with the node, keys and funding it already made.";
  static override examples = [
    "<%= config.bin %> devnet add-validator",
    "<%= config.bin %> devnet add-validator --name val5 --stake 500000 --json",
    "<%= config.bin %> devnet add-validator --devnet big --name val5",
    "<%= config.bin %> devnet add-validator --name val5 --timeout 1800   # again after exit 3: resumes",
  ];
  static override flags = {
    // No --name alias here: --name names the new validator's node.
    devnet: devnetFlag(),
    name: Flags.string({ description: "Name of the new validator's node [default: nodeN]" }),
    stake: Flags.string({ description: "Self-stake to bond", default: "1000000" }),
    from: Flags.string({ description: "Funded devnet account that pays for the stake", default: "alice" }),
    timeout: Flags.integer({
      description:
        "Seconds the new node may take to catch up with the chain before exit 3 (run again to resume)",
      default: ADD_VALIDATOR_SYNC_TIMEOUT_MS / 1000,
      min: 1,
    }),
    "state-sync": Flags.boolean({
      description:
        "The new node joins by state sync (a verified snapshot the others wrote) instead of replaying every block",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetAddValidator);
    const home = resolveHome(flags.home);
    const spin = spinner(!this.jsonMode);
    try {
      const r = await addValidator(home, pickDevnet(home, flags.devnet), {
        name: flags.name,
        stake: parseAmount("stake", flags.stake),
        funder: flags.from,
        syncTimeoutMs: flags.timeout * 1000,
        stateSync: flags["state-sync"],
        onProgress: (m) => spin.update(m),
      });
      spin.stop();
      this.emit(r, (o) => {
        if (o.resumed) this.log(`${o.node}: resumed an earlier attempt (kept its node, keys and funding)`);
        this.log(
          `${o.node} bonded ${o.stake} in block ${o.bondHeight}; active from height ${o.activeFromHeight} (epoch ${o.activeEpoch})`,
        );
        this.log(`  validator ${o.validator}, operator ${o.operator}, API ${o.apiUrl}`);
      });
    } finally {
      spin.stop();
    }
  }
}
