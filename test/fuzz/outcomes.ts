import { FastposError } from "../../src/core/errors.js";

/**
 * What a target made of one input, counted per target in the run summary so a long run shows that inputs
 * reach deep decode paths: `accepted` (the parser returned and every check passed), a typed error's code
 * with the field path it names (`CODEC_SHORT_INPUT .body.payload<transfer>.amount`; vector indices as
 * `[]`), `not-json` for text the API or loader refuses before any parser, and for container messages the
 * verdict on their contents after a comma (`accepted, txs: CODEC_UNKNOWN_TAG .body.payload`).
 */
export type Outcome = string;
export const ACCEPTED = "accepted";

/**
 * The outcome of one typed error: its code, then where it is: a codec's field path, the key path of the
 * first schema issue (genesis, config), or the gist of its reason (digits and quoted text elided).
 */
function outcomeOf(err: FastposError): Outcome {
  const t = err.type as { path?: unknown; issues?: unknown; reason?: unknown };
  const where = (p: string) => `${err.code} ${p.replace(/\[\d+\]/g, "[]")}`;
  if (typeof t.path === "string") return t.path ? where(t.path) : err.code;
  const issue = Array.isArray(t.issues) ? String(t.issues[0] ?? "") : "";
  const key = /^([\w.[\]]+): /.exec(issue)?.[1];
  if (key) return where(`.${key}`);
  if (issue) return `${err.code} (${gist(issue.replace(/^\(root\): /, ""))})`;
  return typeof t.reason === "string" ? `${err.code} (${gist(t.reason)})` : err.code;
}

/**
 * A reason without what varies per input: cut at the first quoted snippet, the field or value it names
 * elided, digits as N, ASCII only.
 */
const gist = (s: string) =>
  (s.startsWith("unknown key") ? "unknown key" : s)
    .split(/["'`\n]| at (?:line|position) /)[0]!
    .replace(/\d+/g, "N")
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/\b(field|convert) \S+/g, "$1 …")
    .slice(0, 48)
    .trim();

/** An input the parser step refused with a typed error. */
export class Refused {
  constructor(readonly outcome: Outcome) {}
}

/**
 * The parser step of a target: its value, or `Refused` for a typed error. Only this step may refuse:
 * what a target then does with the accepted value (re-encode, hash, JSON round trip) must not throw at
 * all, typed or not. A value the parser accepts but the node cannot encode or hash is a finding (README
 * "Findings": a genesis time before 1970).
 */
export function parsed<T>(parse: () => T): T | Refused {
  try {
    return parse();
  } catch (err) {
    if (err instanceof FastposError) return new Refused(outcomeOf(err));
    throw err;
  }
}

/**
 * Outcome counts of one fuzz run, for the summary `npm run fuzz` prints (issue 23 item 1): the share of
 * accepted inputs and of each typed error, how many distinct outcomes (error code × field path) the run
 * reached and how deep into the value the deepest refusal was. A generator that stopped reaching deep
 * decode paths shows here as fewer kinds, a shallower depth or no accepted inputs.
 */
export class OutcomeCounts {
  readonly counts = new Map<Outcome, number>();
  total = 0;

  add(o: Outcome): void {
    this.counts.set(o, (this.counts.get(o) ?? 0) + 1);
    this.total++;
  }

  /** Counts grouped by outcome without its field paths (`CODEC_SHORT_INPUT .body.fee` → `CODEC_SHORT_INPUT`). */
  byCode(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [o, n] of this.counts) {
      const k = withoutPaths(o);
      out.set(k, (out.get(k) ?? 0) + n);
    }
    return new Map([...out].sort((a, b) => b[1] - a[1]));
  }

  /** The most field segments (`.name`, `[]`, `<variant>`) in any outcome's path. */
  deepest(): number {
    let d = 0;
    for (const o of this.counts.keys()) d = Math.max(d, depthOf(o));
    return d;
  }

  /** Inputs accepted by the outer parser (whatever their parts made of them). */
  accepted(): number {
    let n = 0;
    for (const [o, c] of this.counts) if (o.startsWith("accepted")) n += c;
    return n;
  }

  /** Two summary lines: the outcome mix by code, then kinds and depth. */
  format(indent = "     "): string {
    const pct = (n: number) =>
      `${((100 * n) / Math.max(1, this.total)).toFixed(n * 1000 < this.total ? 2 : 1)}%`;
    const groups = [...this.byCode()];
    const rest = groups.slice(MIX).reduce((n, [, c]) => n + c, 0);
    const mix = groups.slice(0, MIX).map(([k, n]) => `${k} ${pct(n)}`);
    if (rest) mix.push(`${groups.length - MIX} more ${pct(rest)}`);
    return (
      `${indent}outcomes: ${mix.join(" · ")}\n` +
      `${indent}${this.counts.size} distinct outcomes (code × field path), refusals up to ${this.deepest()} fields deep`
    );
  }

  /** Every distinct outcome with its count, most frequent first (`--outcomes`). */
  formatAll(indent = "       "): string {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([o, n]) => `${indent}${String(n).padStart(9)}  ${o}`)
      .join("\n");
  }

  toJSON() {
    return {
      total: this.total,
      accepted: this.accepted(),
      kinds: this.counts.size,
      deepest: this.deepest(),
      byCode: Object.fromEntries(this.byCode()),
    };
  }
}

/** Outcome groups named in the summary line; the rest are summed. */
const MIX = 8;
const PATH = /\s[.<[][^\s,;]*/g;
const SEGMENT = /\.[^.[<\s]+|\[\]|<[^>]*>/g;

function withoutPaths(o: Outcome): string {
  return o.replace(PATH, "");
}

function depthOf(o: Outcome): number {
  let d = 0;
  for (const p of o.match(PATH) ?? []) d = Math.max(d, p.match(SEGMENT)?.length ?? 0);
  return d;
}
