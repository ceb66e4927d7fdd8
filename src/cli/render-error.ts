import { EXIT, errorToJson, exitCodeFor, isOclifUserError, stripAnsi, toUserError } from "./errors.js";
import { formatJson } from "./json.js";

/**
 * THE place where a command's error becomes output and an exit code (DESIGN.md §6, STYLE.md "Errors"):
 * - user errors: one line `Error: …` plus `Hint: …` on stderr, exit 1 (3 timed out, 4 unreachable);
 * - anything else is a bug: the stack on stderr, exit 2;
 * - with `--json` the error is `{"error": {code, message, hint?, data?}}` on stdout, same exit codes.
 * Used by `BaseCommand.catch` and by bin/run.js's fast path for `node start` (cli/fast-node-start.ts),
 * which runs without oclif. Sets `process.exitCode`; `commandId` (e.g. "tx:transfer") names the command in
 * the usage hint of a flag-parsing error.
 */
export function renderCliError(raw: Error, opts: { json: boolean; commandId?: string | undefined }): void {
  const err = toUserError(raw) as Error;
  const code = exitCodeFor(err);
  process.exitCode = code;
  if (opts.json) {
    process.stdout.write(`${formatJson(errorToJson(err))}\n`);
    return;
  }
  if (code === EXIT.bug) {
    process.stderr.write(`Internal error (this is a fastpos bug, please report it):\n${err.stack ?? err}\n`);
    return;
  }
  const { error } = errorToJson(err);
  const issues = (error.data as { issues?: unknown } | undefined)?.issues;
  if (Array.isArray(issues) && issues.length > 1) {
    // Validation errors (genesis, config, manifest): one line per problem, each naming its field.
    process.stderr.write(`Error: ${issues.length} problems:\n${issues.map((i) => `  - ${i}`).join("\n")}\n`);
  } else {
    process.stderr.write(`Error: ${stripAnsi(error.message).split("\n")[0]}\n`);
  }
  const hint = error.hint ?? usageHint(err, opts.commandId);
  if (hint) process.stderr.write(`Hint: ${hint}\n`);
}

function usageHint(err: Error, id: string | undefined): string | undefined {
  if (!isOclifUserError(err)) return undefined;
  return `run \`fastpos ${(id ?? "").replaceAll(":", " ")} --help\` for usage`;
}
