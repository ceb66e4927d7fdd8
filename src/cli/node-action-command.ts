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
    this.emit(r, (o) => this.log(describeResult(o)));
  }
}

/**
 * What happened, in words (issue 19 item 10: repeated stop/start printed raw `not-running`); `--json`
 * keeps the stable `result` codes.
 */
export function describeResult(o: { node: string; action: NodeAction; result: string; pid: number | null }) {
  const pid = o.pid ? ` (pid ${o.pid})` : "";
  switch (o.result) {
    case "stopped":
      return `${o.node} stopped`;
    case "killed":
      return o.action === "kill"
        ? `${o.node} killed (SIGKILL)`
        : `${o.node} did not stop within the grace period and was killed`;
    case "not-running":
      return `${o.node} was not running: nothing to ${o.action}`;
    case "already-running":
      return `${o.node} was already running${pid}: nothing to start`;
    case "started":
      return `${o.node} started${pid}; it catches up by block sync`;
    case "restarted":
      return `${o.node} restarted${pid}`;
    case "paused":
      return `${o.node} paused (frozen, still connected)`;
    case "resumed":
      return `${o.node} resumed`;
    default:
      return `${o.node}: ${o.result}${pid}`;
  }
}
