import { FastposError } from "../core/errors.js";

/**
 * Exit codes shared by every command (DESIGN.md §6). CI scripts rely on them, so they never change.
 */
export const EXIT = {
  ok: 0,
  user: 1,
  bug: 2,
  timeout: 3,
  unreachable: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

type CliErrorType = { code: string; hint?: string; exit?: ExitCode } & Record<string, unknown>;

/**
 * An error the user can fix (bad flag, unknown key, file not found...). Printed as one line plus a hint,
 * never with a stack (STYLE.md "Errors": Shopify's AbortError).
 */
export class UserError extends FastposError<CliErrorType> {
  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; data?: object } = {}) {
    super({ code, ...(opts.hint ? { hint: opts.hint } : {}), ...opts.data }, message, { cause: opts.cause });
  }
}

/** Codes that mean "we have a bug", even though they are typed errors. */
const BUG_CODES = new Set(["INTERNAL", "CODEC_INVALID_VALUE"]);

/** The one mapping from an error to an exit code (DESIGN.md §6). */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof FastposError) {
    if (err.code === "TIMEOUT") return EXIT.timeout;
    if (err.code === "NODE_UNREACHABLE" || err.code === "ENGINE_UNREACHABLE") return EXIT.unreachable;
    return BUG_CODES.has(err.code) ? EXIT.bug : EXIT.user;
  }
  if (isOclifUserError(err)) return EXIT.user;
  return EXIT.bug;
}

/** oclif's own parse errors (unknown flag, missing arg, bad option value) are user errors. */
export function isOclifUserError(err: unknown): err is Error & { oclif?: { exit?: number } } {
  if (!(err instanceof Error)) return false;
  const name = err.constructor?.name ?? "";
  return (
    "oclif" in err ||
    /^(CLIError|RequiredArgsError|FailedFlagValidationError|NonExistentFlagsError|UnexpectedArgsError|ArgInvalidOptionError|FlagInvalidOptionError|CLIParseError)$/.test(
      name,
    )
  );
}

/** `{error: {code, message, hint?, data?}}`: the JSON shape of every failure, on stdout with `--json`. */
export function errorToJson(err: unknown): {
  error: { code: string; message: string; hint?: string; data?: Record<string, unknown> };
} {
  if (err instanceof FastposError) {
    const { hint: own, exit: _exit, ...data } = err.data as { hint?: string; exit?: number };
    const hint = typeof own === "string" ? own : hintFor(err.code, data);
    return {
      error: {
        code: err.code,
        message: err.message,
        ...(hint ? { hint } : {}),
        ...(Object.keys(data).length ? { data } : {}),
      },
    };
  }
  if (isOclifUserError(err)) return { error: { code: "USAGE", message: stripAnsi(err.message) } };
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: "INTERNAL", message } };
}

/** Hints for typed errors raised below the CLI, which do not know the flags that fix them. */
function hintFor(code: string, data: { [key: string]: unknown }): string | undefined {
  if (code === "DEVNET_AMBIGUOUS" && Array.isArray(data.names))
    return `pass --devnet NAME (or -d NAME) to choose one of: ${data.names.join(", ")}`;
  return undefined;
}

/** Removes ANSI colour codes (oclif colours its parse errors). */
export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point.
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}
