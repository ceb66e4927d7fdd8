import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

/** Shell exports that point later commands (and scripts, curl) at a devnet: `eval "$(fastpos devnet env)"`. */
export default class DevnetEnv extends BaseCommand {
  static override summary = "Print `export FASTPOS_NODE=… FASTPOS_DEVNET=…` lines for a devnet, for eval.";
  static override description =
    "Every tx/query command reads FASTPOS_NODE as --node and every devnet command FASTPOS_DEVNET as --devnet.";
  static override examples = [
    'eval "$(<%= config.bin %> devnet env)"',
    'eval "$(<%= config.bin %> devnet env -d big)" && curl "$FASTPOS_NODE/status"',
  ];
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetEnv);
    const home = resolveHome(flags.home);
    const d = pickDevnet(home, flags.devnet);
    const n = d.nodes.find((x) => x.pid !== null || x.container) ?? d.nodes[0];
    const env: Record<string, string> = {
      FASTPOS_HOME: home,
      FASTPOS_DEVNET: d.name,
      FASTPOS_NODE: (n as { apiUrl: string }).apiUrl,
    };
    this.emit(env, (e) => {
      for (const [k, v] of Object.entries(e)) this.log(`export ${k}=${shellQuote(v)}`);
    });
  }
}

/** Single-quotes a value for POSIX shells. */
function shellQuote(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`;
}
