/**
 * Base class for every typed error raised by fastpos code.
 *
 * Each error carries a `type` object whose `code` is a stable `DOMAIN_REASON` string (STYLE.md "Errors")
 * plus structured data, so callers switch on `err.type.code` instead of parsing messages. The CLI maps
 * codes to exit codes in one place and the HTTP API returns `{error: {code, message, data}}` from it.
 *
 * NOTE: this module is the one leaf every `core/` layer may import (DESIGN.md §1): it has no imports.
 */
export type ErrorType = { code: string } & Record<string, unknown>;

export class FastposError<T extends ErrorType = ErrorType> extends Error {
  readonly type: T;

  constructor(type: T, message?: string, options?: { cause?: unknown }) {
    super(message ?? type.code, options);
    this.type = type;
    this.name = new.target.name;
  }

  /** The stable machine-readable code, e.g. `TX_BAD_NONCE`. */
  get code(): T["code"] {
    return this.type.code;
  }

  /** The error's data without the code, for JSON output (bigints become decimal strings). */
  get data(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.type)) {
      if (k === "code") continue;
      out[k] = typeof v === "bigint" ? v.toString() : v;
    }
    return out;
  }
}

/** True when `err` is a FastposError, optionally with one of the given codes. */
export function isFastposError(err: unknown, ...codes: string[]): err is FastposError {
  return err instanceof FastposError && (codes.length === 0 || codes.includes(err.code));
}
