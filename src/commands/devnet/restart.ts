import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetRestart extends NodeActionCommand {
  static override action = "restart" as const;
  static override summary = NODE_ACTION_SUMMARY.restart;
  static override examples = nodeActionExamples("restart");
}
