import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetPause extends NodeActionCommand {
  static override action = "pause" as const;
  static override summary = NODE_ACTION_SUMMARY.pause;
  static override examples = nodeActionExamples("pause");
}
