import { Command, Flags } from "@oclif/core";
import { EXIT, errorToJson, exitCodeFor, isOclifUserError, stripAnsi, toUserError } from "./errors.js";
import { formatJson } from "./json.js";

/**
 * Base of every fastpos command: the shared `--json` and `--home` flags, and the ONE place where errors
 * become output and exit codes (DESIGN.md §6, STYLE.md "Errors"):
 * - user errors: one line `Error: …` plus `Hint: …` on stderr, exit 1 (3 timed out, 4 unreachable);
 * - anything else is a bug: the stack on stderr, exit 2;
 * - with `--json` the error is `{"error": {code, message, hint?, data?}}` on stdout, same exit codes.
 * Commands stay thin: parse flags, call a function below `cli/`, then `this.emit(result, render)`.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: "Print one JSON document on stdout instead of human output (NDJSON for streams).",
      helpGroup: "GLOBAL",
    }),
    home: Flags.string({
      description: "fastpos home directory holding keys/ and devnets/ [default: ~/.fastpos]",
      env: "FASTPOS_HOME",
      helpGroup: "GLOBAL",
    }),
  };

  /** True when `--json` was given (read from argv so it also works when flag parsing itself failed). */
  protected get jsonMode(): boolean {
    const end = this.argv.indexOf("--");
    return (end === -1 ? this.argv : this.argv.slice(0, end)).includes("--json");
  }

  /** Prints `result` as JSON with `--json`, else through the human renderer. */
  protected emit<T>(result: T, human: (r: T) => void): void {
    if (this.jsonMode) process.stdout.write(`${formatJson(result)}\n`);
    else human(result);
  }

  /** Human-only output to stderr (warnings, progress): never pollutes stdout pipes. */
  protected note(message: string): void {
    if (!this.jsonMode) process.stderr.write(`${message}\n`);
  }

  override async catch(raw: Error & { exitCode?: number }): Promise<void> {
    const err = toUserError(raw) as Error;
    const code = exitCodeFor(err);
    process.exitCode = code;
    if (this.jsonMode) {
      process.stdout.write(`${formatJson(errorToJson(err))}\n`);
      return;
    }
    if (code === EXIT.bug) {
      process.stderr.write(
        `Internal error (this is a fastpos bug, please report it):\n${err.stack ?? err}\n`,
      );
      return;
    }
    const { error } = errorToJson(err);
    const issues = (error.data as { issues?: unknown } | undefined)?.issues;
    if (Array.isArray(issues) && issues.length > 1) {
      // Validation errors (genesis, config, manifest): one line per problem, each naming its field.
      process.stderr.write(
        `Error: ${issues.length} problems:\n${issues.map((i) => `  - ${i}`).join("\n")}\n`,
      );
    } else {
      process.stderr.write(`Error: ${stripAnsi(error.message).split("\n")[0]}\n`);
    }
    const hint = error.hint ?? usageHint(err, this.id);
    if (hint) process.stderr.write(`Hint: ${hint}\n`);
  }
}

function usageHint(err: Error, id: string | undefined): string | undefined {
  if (!isOclifUserError(err)) return undefined;
  return `run \`fastpos ${(id ?? "").replaceAll(":", " ")} --help\` for usage`;
}
