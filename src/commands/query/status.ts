import { BaseCommand } from "../../cli/base-command.js";
import { clientFor, resolveTarget, targetFlags } from "../../cli/target.js";

export default class QueryStatus extends BaseCommand {
  static override summary = "Show a node's status: chain, height, consensus round, peers, mempool.";
  static override examples = [
    "<%= config.bin %> query status",
    "<%= config.bin %> query status --node http://127.0.0.1:26660 --json",
  ];
  static override flags = { ...targetFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(QueryStatus);
    const s = await clientFor(resolveTarget(flags.home, flags).url).status();
    this.emit(s, (r) => {
      this.log(
        `${r.moniker} on ${r.chainId}: height ${r.height} (round ${r.consensus.round}, ${r.consensus.step}), ${r.peers} peers, mempool ${r.mempool.txs} txs${r.syncing ? ", syncing" : ""}`,
      );
    });
  }
}
