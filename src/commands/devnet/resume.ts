import { NODE_ACTION_SUMMARY, NodeActionCommand, nodeActionExamples } from "../../cli/node-action-command.js";

export default class DevnetResume extends NodeActionCommand {
  static override action = "resume" as const;
  static override summary = NODE_ACTION_SUMMARY.resume;
  static override examples = nodeActionExamples("resume");
}
