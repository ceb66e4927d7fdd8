import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryValidators extends BaseCommand {
  static override summary =
    "Show validators: power, self/delegated stake, workWeight, status (jailed, tombstoned), missed blocks, slashed.";
  static override examples = [
    "<%= config.bin %> query validators",
    "<%= config.bin %> query validators --json | jq '.validators[] | {name, status, power}'",
  ];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryValidators);
    const v = await clientFor(resolveTarget(flags.home, flags).url).validators();
    this.emit(v, (r) => {
      const active = r.validators.filter((x) => x.status === "active").length;
      this.log(
        `epoch ${r.epoch} (height ${r.height}): ${active} active of ${r.validators.length}, total power ${r.totalPower}`,
      );
      this.log(
        `pending stake, set and workWeight changes apply from height ${r.pendingChangesApplyAtHeight}`,
      );
      this.log(
        `${"NAME".padEnd(12)} ${"STATUS".padEnd(11)} ${"POWER".padEnd(12)} ${"SELF".padEnd(12)} ${"DELEGATED".padEnd(12)} ${"WORK".padEnd(12)} ${"MISSED".padEnd(7)} ${"SLASHED".padEnd(10)} ADDRESS`,
      );
      for (const x of r.validators) {
        const work = `${(Number(x.workWeight) / 10_000).toFixed(2)}${x.pendingWorkWeight !== null ? `→${(Number(x.pendingWorkWeight) / 10_000).toFixed(2)}` : ""}`;
        const status = x.tombstoned ? "tombstoned" : x.status;
        this.log(
          `${x.name.padEnd(12)} ${status.padEnd(11)} ${x.power.padEnd(12)} ${x.selfStake.padEnd(12)} ${x.delegatedStake.padEnd(12)} ${work.padEnd(12)} ${String(x.missedBlocks).padEnd(7)} ${x.slashed.padEnd(10)} ${x.consensusAddress}`,
        );
      }
    });
  }
}
