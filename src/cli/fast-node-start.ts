import { resolve } from "node:path";
import { assertNodeHome } from "../node/home.js";
import { runNodeForeground } from "./node-runner.js";
import { renderCliError } from "./render-error.js";

/**
 * `fastpos node start --home DIR [--json]` run without oclif (issue 22 item 4): the exact command every
 * process-provider devnet node is started with. Loading @oclif/core and its config is ≈150–250 ms of CPU
 * per node before its own start-up, and a 5-node devnet boots five at once on this 2-core host. Same
 * behaviour as the command (src/commands/node/start.ts): same runner, same error rendering and exit codes.
 * Any other argument list — more flags, `--home=DIR`, `--help` — goes through oclif as before.
 */
export function plainNodeStart(argv: readonly string[]): { home: string; json: boolean } | null {
  const [a, b, ...rest] = argv;
  if (a !== "node" || b !== "start") return null;
  const json = rest.includes("--json");
  const args = rest.filter((x) => x !== "--json");
  if (args.length !== 2 || args[0] !== "--home" || !args[1] || args[1].startsWith("-")) return null;
  if (rest.length - args.length > 1) return null;
  return { home: args[1], json };
}

/** Runs a `plainNodeStart` command to its end; errors are rendered as the command renders them. */
export async function fastNodeStart(cmd: { home: string; json: boolean }): Promise<void> {
  try {
    const home = resolve(cmd.home);
    assertNodeHome(home);
    await runNodeForeground(home, { layer: {}, json: cmd.json });
  } catch (err) {
    renderCliError(err as Error, { json: cmd.json, commandId: "node:start" });
  }
}
