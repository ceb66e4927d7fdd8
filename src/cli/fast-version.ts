/**
 * `fastpos --version`, `-v` and `fastpos version [--json]` answered before oclif loads (issue 22 item 4):
 * loading @oclif/core and its config costs more than the rest of such a run (≈200 of ≈330 ms here), and
 * the version is what users type first. The output is the one oclif's `--version` and the `version`
 * command print (test/e2e/user-errors.test.ts compares them); anything else goes to oclif.
 */
import { readFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { formatJson } from "./json.js";

/** The text to print for `argv` when it only asks for the version, else null (oclif runs the command). */
export function fastVersionReply(argv: readonly string[], packageJson: URL): string | null {
  const flag = argv[0] === "--version" || argv[0] === "-v"; // oclif looks at the first argument only
  const command = argv[0] === "version" && (argv.length === 1 || (argv.length === 2 && argv[1] === "--json"));
  if (!flag && !command) return null;
  const pjson = JSON.parse(readFileSync(packageJson, "utf8")) as {
    version: string;
    oclif?: { bin?: string };
  };
  // As oclif's Config: ia32 is x86, and Linux under WSL is "wsl".
  const os = platform() === "linux" && /microsoft/i.test(release()) ? "wsl" : platform();
  const v = {
    version: pjson.version,
    platform: `${os}-${arch() === "ia32" ? "x86" : arch()}`,
    node: process.version,
  };
  if (command && argv[1] === "--json") return `${formatJson(v)}\n`;
  return `${pjson.oclif?.bin ?? "fastpos"}/${v.version} ${v.platform} node-${v.node}\n`;
}
