import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetStart extends NodeActionCommand {
  static override action = "start" as const;
  static override summary = NODE_ACTION_SUMMARY.start;
  static override examples = nodeActionExamples("start");
}
