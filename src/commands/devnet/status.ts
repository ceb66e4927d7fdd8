import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { devnetStatus } from "../../devnet/control.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetStatus extends BaseCommand {
  static override summary = "Show each node of a devnet: process or container state, height, round, peers.";
  static override examples = [
    "<%= config.bin %> devnet status",
    "<%= config.bin %> devnet status -d big",
    "<%= config.bin %> devnet status --devnet big --json | jq '.nodes[].height'",
  ];
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetStatus);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const nodes = await devnetStatus(d);
    this.emit({ name: d.name, chainId: d.chainId, provider: d.provider, nodes }, (o) => {
      this.log(
        `Devnet "${o.name}" (chain ${o.chainId}, ${o.provider}${d.docker ? `: ${d.docker.image}, ${d.docker.network} network` : ""})`,
      );
      this.log(
        `${"NODE".padEnd(8)} ${"STATE".padEnd(8)} ${"PID".padEnd(8)} ${"HEIGHT".padEnd(8)} ${"ROUND".padEnd(6)} ${"PEERS".padEnd(6)} LAST BLOCK`,
      );
      for (const n of o.nodes) {
        this.log(
          `${n.name.padEnd(8)} ${n.state.padEnd(8)} ${String(n.pid ?? "-").padEnd(8)} ${String(n.height ?? "-").padEnd(8)} ${String(n.round ?? "-").padEnd(6)} ${String(n.peers ?? "-").padEnd(6)} ${n.lastBlockTime ?? "-"}`,
        );
      }
    });
  }
}
