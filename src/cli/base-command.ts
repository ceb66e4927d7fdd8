import { Command, Flags } from "@oclif/core";
import { formatJson } from "./json.js";
import { renderCliError } from "./render-error.js";

/**
 * Base of every fastpos command: the shared `--json` and `--home` flags, and errors turned into output and
 * exit codes by the one renderer (`render-error.ts`). Commands stay thin: parse flags, call a function below `cli/`, then `this.emit(result, render)`.
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
    renderCliError(raw, { json: this.jsonMode, commandId: this.id });
  }
}
