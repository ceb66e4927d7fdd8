import { BaseCommand } from "../cli/base-command.js";

/** `fastpos version` (also `-v`, `--version`): what users type first when reporting a problem. */
export default class Version extends BaseCommand {
  static override summary = "Print the fastpos version, platform and Node.js version.";
  static override examples = ["<%= config.bin %> version", "<%= config.bin %> version --json"];

  async run(): Promise<void> {
    await this.parse(Version);
    const v = {
      version: this.config.version,
      platform: `${this.config.platform}-${this.config.arch}`,
      node: process.version,
    };
    this.emit(v, (r) => this.log(`${this.config.bin}/${r.version} ${r.platform} node-${r.node}`));
  }
}
