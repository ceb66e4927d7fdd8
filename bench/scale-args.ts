/**
 * Command line of `npm run bench:scale -- [--sizes 4,7,10,16] [--runs 3] [--duration 20s] [--idle-txs 20]
 * [--json]` (pure, so every bad input is pinned to a one-line error by test/unit/bench/scale-args.test.ts).
 */

export interface ScaleOptions {
  /** Validator counts to measure, ascending and distinct, each 1..16 (what `fastpos bench -n` takes). */
  sizes: number[];
  /** Runs per size, 1..MAX_RUNS; the runs interleave across sizes (round r: every size once). */
  runs: number;
  /** Max-load duration of each run in whole seconds, 1..MAX_DURATION_S. */
  durationS: number;
  /** Idle transfers (SDK send → final) per run on a fresh devnet of the same size; 0 skips that part. */
  idleTxs: number;
  json: boolean;
  /** Only rewrite bench/scale.svg and the results.md section from the runs in bench/scale.json. */
  renderOnly: boolean;
  help: boolean;
}

export const DEFAULT_SIZES = [4, 7, 10, 16];
export const DEFAULT_RUNS = 3;
export const MAX_RUNS = 10;
export const MAX_DURATION_S = 120;
export const MAX_IDLE_TXS = 200;

export const USAGE =
  "usage: npm run bench:scale -- [--sizes 4,7,10,16] [--runs 3] [--duration 20s] [--idle-txs 20] [--json]\n" +
  `  --sizes     validator counts, comma-separated, each 1..16 (default ${DEFAULT_SIZES.join(",")})\n` +
  `  --runs      max-load runs per size, 1..${MAX_RUNS}, interleaved across sizes (default ${DEFAULT_RUNS})\n` +
  `  --duration  load per run, whole seconds or minutes (20s, 1m; at most ${MAX_DURATION_S}s; default 20s)\n` +
  `  --idle-txs  idle transfers → final per run (SDK), 0..${MAX_IDLE_TXS}; 0 skips (default 20)\n` +
  "  --json      also print the result as JSON on stdout\n" +
  "  --render    run nothing: redraw bench/scale.svg and the results.md section from bench/scale.json";

/** A bad command line; `message` is the one line printed before exiting with code 1. */
export class ScaleArgError extends Error {
  readonly code = "SCALE_BAD_ARGS";
}

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ScaleArgError(`${flag} takes an integer from ${min} to ${max}, got ${raw ?? "nothing"}`);
  return Number(raw);
}

function duration(raw: string | undefined): number {
  const m = raw === undefined ? null : /^(\d+)(s|m)?$/.exec(raw);
  const s = m ? Number(m[1]) * (m[2] === "m" ? 60 : 1) : Number.NaN;
  if (!(s >= 1 && s <= MAX_DURATION_S))
    throw new ScaleArgError(
      `--duration takes 1s to ${MAX_DURATION_S}s (e.g. 20s or 1m), got ${raw ?? "nothing"}`,
    );
  return s;
}

function sizes(raw: string | undefined): number[] {
  const bad = () =>
    new ScaleArgError(
      `--sizes takes distinct validator counts from 1 to 16, comma-separated (e.g. 4,7,10,16), got ${raw ?? "nothing"}`,
    );
  if (raw === undefined || !/^\d+(,\d+)*$/.test(raw)) throw bad();
  const xs = raw.split(",").map(Number);
  if (xs.some((x) => x < 1 || x > 16) || new Set(xs).size !== xs.length) throw bad();
  return xs.sort((a, b) => a - b);
}

/** Parses argv (after the script name). Throws ScaleArgError on anything it does not understand. */
export function parseScaleArgs(argv: readonly string[]): ScaleOptions {
  const o: ScaleOptions = {
    sizes: [...DEFAULT_SIZES],
    runs: DEFAULT_RUNS,
    durationS: 20,
    idleTxs: 20,
    json: false,
    renderOnly: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--sizes") o.sizes = sizes(value());
    else if (flag === "--runs") o.runs = integer("--runs", value(), 1, MAX_RUNS);
    else if (flag === "--duration") o.durationS = duration(value());
    else if (flag === "--idle-txs") o.idleTxs = integer("--idle-txs", value(), 0, MAX_IDLE_TXS);
    else if (flag === "--json" && inline === undefined) o.json = true;
    else if (flag === "--render" && inline === undefined) o.renderOnly = true;
    else if ((flag === "--help" || flag === "-h") && inline === undefined) o.help = true;
    else if (flag.startsWith("-")) throw new ScaleArgError(`unknown option ${arg} (see --help)`);
    else throw new ScaleArgError(`unexpected argument "${arg}" (see --help)`);
  }
  return o;
}
