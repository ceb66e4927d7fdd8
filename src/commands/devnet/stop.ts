import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetStop extends NodeActionCommand {
  static override action = "stop" as const;
  static override summary = NODE_ACTION_SUMMARY.stop;
  static override examples = nodeActionExamples("stop");
}
