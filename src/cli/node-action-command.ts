import { Args } from "@oclif/core";
import { controlNode, type NodeAction } from "../devnet/control.js";
import { pickDevnet } from "../devnet/state.js";
import { resolveHome } from "../keystore/home.js";
import { BaseCommand } from "./base-command.js";
import { devnetFlag } from "./flags.js";

/** Help text of `fastpos devnet ACTION NODE`. */
export const NODE_ACTION_SUMMARY: Record<NodeAction, string> = {
  stop: "Stop one node cleanly (SIGTERM; docker stop for containers).",
  start: "Start a stopped node (re-creating its container if needed); it catches up by block sync.",
  restart: "Stop and start one node.",
  kill: "Kill one node abruptly (SIGKILL), as a crash would.",
  pause: "Freeze one node (SIGSTOP; docker pause for containers): it stays connected but silent.",
  resume: "Unfreeze a paused node (SIGCONT; docker unpause).",
};

export const nodeActionExamples = (action: NodeAction) => [
  `<%= config.bin %> devnet ${action} node2`,
  `<%= config.bin %> devnet ${action} 2 --devnet big --json`,
  `<%= config.bin %> devnet ${action} node1 -d big`,
];

/**
 * Base of the six `fastpos devnet stop|start|restart|kill|pause|resume NODE` commands, which differ only
 * in `action`: each command file sets it and its help text.
 */
export abstract class NodeActionCommand extends BaseCommand {
  static action: NodeAction;
  static override args = {
    node: Args.string({ description: "Node name (node0…) or index", required: true }),
  };
  static override flags = { devnet: devnetFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(NodeActionCommand);
    const action = (this.constructor as typeof NodeActionCommand).action;
    const home = resolveHome(flags.home);
    const r = await controlNode(home, pickDevnet(home, flags.devnet), args.node, action);
    this.emit(r, (o) => this.log(`${o.node}: ${o.result}${o.pid ? ` (pid ${o.pid})` : ""}`));
  }
}
