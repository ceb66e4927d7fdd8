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

/** Node's file-system and socket errors caused by what the user typed (a path, a port): not bugs. */
const SYSTEM_USER_ERRORS: Record<string, (e: SystemError) => [string, string]> = {
  ENOENT: (e) => [`no such file or directory: ${e.path}`, "check the path; its parent directory must exist"],
  ENOTDIR: (e) => [`not a directory: ${e.path}`, "check the path"],
  EISDIR: (e) => [`is a directory, not a file: ${e.path}`, "give a file path"],
  EACCES: (e) => [`permission denied: ${e.path}`, "choose a path you can write to"],
  EPERM: (e) => [`operation not permitted: ${e.path}`, "choose a path you can write to"],
  EEXIST: (e) => [`already exists: ${e.path}`, "remove it or choose another path"],
  EADDRINUSE: (e) => [
    `address already in use: ${e.address ?? ""}${e.port ? `:${e.port}` : ""}`,
    "another process holds that port; stop it or choose another port",
  ],
};
type SystemError = Error & { code?: string; path?: string; address?: string; port?: number };

/**
 * Turns an error the user caused (a missing directory in `--out`, a port in use) into a UserError, so it
 * prints as one line + hint with exit 1 instead of an "internal error" stack (issue 19 item 3).
 * Anything else is returned unchanged.
 */
export function toUserError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof FastposError) return err;
  const sys = err as SystemError;
  const make = sys.code ? SYSTEM_USER_ERRORS[sys.code] : undefined;
  if (make && (sys.path !== undefined || sys.code === "EADDRINUSE")) {
    const [message, hint] = make(sys);
    return new UserError(`FS_${sys.code}`, message, { hint, cause: err });
  }
  return err;
}

/**
 * The problems in an oclif parse error, one per entry: oclif joins several with newlines under a
 * "The following errors occurred:" header and appends "See more help with --help", which printed
 * scrambled on one line before (issue 19 item 3).
 */
export function usageProblems(err: Error): string[] {
  const lines = stripAnsi(err.message)
    .split("\n")
    .map((l) => l.trim())
    .filter(
      (l) => l && !/^See more help with --help$/.test(l) && !/^The following errors? occurred:?$/.test(l),
    );
  const out: string[] = [];
  for (const l of lines) {
    const prev = out.at(-1);
    // "Missing 1 required arg:" is followed by "hash  Transaction hash (0x…)", and "Parsing --validators"
    // by what was wrong with its value: keep them together.
    if (prev?.endsWith(":")) out[out.length - 1] = `${prev} ${l.replace(/\s{2,}/g, " — ")}`;
    else if (prev && /^Parsing --?[\w-]+$/.test(prev)) out[out.length - 1] = `${prev.slice(8)}: ${l}`;
    else out.push(l);
  }
  return out.length ? out : [stripAnsi(err.message)];
}

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
  if (isOclifUserError(err)) {
    const issues = usageProblems(err);
    return { error: { code: "USAGE", message: issues.join("; "), data: { issues } } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: "INTERNAL", message } };
}

/** Hints for typed errors raised below the CLI, which do not know the flags that fix them. */
function hintFor(code: string, data: { [key: string]: unknown }): string | undefined {
  if (code === "DEVNET_AMBIGUOUS" && Array.isArray(data.names))
    return `pass --devnet NAME (or -d NAME) to choose one of: ${data.names.join(", ")}`;
  if (code === "TX_FEE_TOO_LOW") {
    const min = data.min ?? data.minFee;
    return `pass --fee ${min ?? "N"} or more: this chain has a minimum fee (the mainnet-like preset does)`;
  }
  if (code === "MEMPOOL_REPLACEMENT_UNDERPRICED" || code === "MEMPOOL_FULL")
    return `pass a higher --fee${data.minFee ? ` (at least ${data.minFee})` : ""}`;
  const hint = TX_HINTS[code];
  return typeof hint === "function" ? hint(data) : hint;
}

/**
 * What to do about the node's common tx rejections (and an unreachable node), in terms of commands and
 * flags: the node's message says what is wrong, only the CLI knows what fixes it.
 */
const TX_HINTS: Record<string, string | ((data: { [key: string]: unknown }) => string)> = {
  NODE_UNREACHABLE:
    "is the node running? `fastpos devnet status` shows a devnet's nodes; pass --node URL or --devnet NAME to pick one",
  TX_INSUFFICIENT_FUNDS:
    "check the balance with `fastpos query account KEY`; send less, or fund the key first",
  TX_BELOW_MIN_STAKE: (d) => `pass --amount ${d.min ?? "N"} or more (the chain's minimum self-stake)`,
  TX_ZERO_AMOUNT: "pass an --amount of 1 or more",
  TX_UNKNOWN_VALIDATOR:
    "`fastpos query validators` lists the validators; pass --validator (an address or a devnet node name), or sign with a validator's own key",
  TX_NOT_OPERATOR: "only the validator's operator can do this: sign with its key (--from)",
  TX_INSUFFICIENT_STAKE: "`fastpos query validators` shows what is bonded; unbond or undelegate at most that",
  TX_TOO_MANY_UNBONDING:
    "wait until an earlier unbonding is released (`fastpos query unbonding KEY` lists them)",
  TX_NOT_JAILED: "`fastpos query slashing VALIDATOR` shows its status; only a jailed validator needs unjail",
  TX_JAILED_UNTIL: (d) =>
    `send unjail again once the chain is past height ${d.until ?? "the one in the message"}`,
  TX_TOMBSTONED: "a validator tombstoned for double-signing can never unjail; bond a new validator key",
  KEYSTORE_PASSWORD_REQUIRED:
    "with no terminal to ask on, pass --password or set FASTPOS_PASSWORD (better in scripts: not in `ps`)",
  KEYSTORE_BAD_PASSWORD: "check --password or FASTPOS_PASSWORD; a forgotten password cannot be recovered",
  TX_BAD_NONCE:
    "another tx from this key was sent at the same time; send again (the CLI reads the next nonce from the node)",
};

/** Removes ANSI colour codes (oclif colours its parse errors). */
export function stripAnsi(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point.
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}
