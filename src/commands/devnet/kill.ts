import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetKill extends NodeActionCommand {
  static override action = "kill" as const;
  static override summary = NODE_ACTION_SUMMARY.kill;
  static override examples = nodeActionExamples("kill");
}
