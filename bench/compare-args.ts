/**
 * Command line of `npm run bench:compare -- [REF] [--pairs N] [--duration 20s] [-n 4] [--json]` (pure, so
 * every bad input is pinned to a one-line error by test/unit/bench/compare-args.test.ts).
 */

export interface CompareOptions {
  /** The baseline (side A): any git ref; the working tree is side B. */
  ref: string;
  /** Interleaved A/B pairs, 1..MAX_PAIRS (fewer than 3 gives no verdict, see README). */
  pairs: number;
  /** Load duration of each run in whole seconds, 1..MAX_DURATION_S. */
  durationS: number;
  /** Validators of each run's temporary devnet. */
  validators: number;
  json: boolean;
  help: boolean;
}

export const DEFAULT_PAIRS = 3;
export const MAX_PAIRS = 10;
export const MAX_DURATION_S = 120;

export const USAGE =
  "usage: npm run bench:compare -- [REF] [--pairs N] [--duration 20s] [-n 4] [--json]\n" +
  `  REF         git ref of the baseline (side A; default main); side B is this working tree\n` +
  `  --pairs     interleaved A/B pairs of the max-load bench, 1..${MAX_PAIRS} (default ${DEFAULT_PAIRS})\n` +
  `  --duration  load per run, whole seconds or minutes (20s, 1m; at most ${MAX_DURATION_S}s; default 20s)\n` +
  "  -n          validators per run, 1..16 (default 4)\n" +
  "  --json      print the result as JSON on stdout";

/** A bad command line; `message` is the one line printed before exiting with code 1. */
export class CompareArgError extends Error {
  readonly code = "COMPARE_BAD_ARGS";
}

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new CompareArgError(`${flag} takes an integer from ${min} to ${max}, got ${raw ?? "nothing"}`);
  return Number(raw);
}

function duration(raw: string | undefined): number {
  const m = raw === undefined ? null : /^(\d+)(s|m)?$/.exec(raw);
  const s = m ? Number(m[1]) * (m[2] === "m" ? 60 : 1) : Number.NaN;
  if (!(s >= 1 && s <= MAX_DURATION_S))
    throw new CompareArgError(
      `--duration takes 1s to ${MAX_DURATION_S}s (e.g. 20s or 1m), got ${raw ?? "nothing"}`,
    );
  return s;
}

/** Parses argv (after the script name). Throws CompareArgError on anything it does not understand. */
export function parseCompareArgs(argv: readonly string[]): CompareOptions {
  const o: CompareOptions = {
    ref: "main",
    pairs: DEFAULT_PAIRS,
    durationS: 20,
    validators: 4,
    json: false,
    help: false,
  };
  let ref: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--pairs") o.pairs = integer("--pairs", value(), 1, MAX_PAIRS);
    else if (flag === "--duration") o.durationS = duration(value());
    else if (flag === "-n" || flag === "--validators") o.validators = integer(flag, value(), 1, 16);
    else if (flag === "--json" && inline === undefined) o.json = true;
    else if ((flag === "--help" || flag === "-h") && inline === undefined) o.help = true;
    else if (flag.startsWith("-")) throw new CompareArgError(`unknown option ${arg} (see --help)`);
    else if (ref !== undefined) throw new CompareArgError(`one REF only, got "${ref}" and "${arg}"`);
    else ref = arg;
  }
  if (ref !== undefined) o.ref = ref;
  return o;
}
