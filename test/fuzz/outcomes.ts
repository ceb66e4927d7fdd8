import type { Outcome } from "./targets.js";

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
