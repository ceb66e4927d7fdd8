/**
 * What the watch screen derives from its state besides the rows themselves (issue 19 item 8): whether the
 * chain can finalize at all with the validators seen online, and how much of the screen each part gets so
 * the header never scrolls off a small terminal (80×24). Pure, so tests call it with recorded states.
 */
import type { WatchState } from "./watch-reducer.js";

export interface QuorumHealth {
  /** Voting power of validators whose node answers, and of all validators. */
  onlinePower: bigint;
  totalPower: bigint;
  /** Share of the power offline, in whole percent (rounded up, so "34%" is never really 33.4%). */
  offlinePct: number;
  /** True when the power online is not more than 2/3: no block can be finalized (DESIGN.md §4 quorum). */
  halted: boolean;
  offline: string[];
}

export function quorumHealth(s: Pick<WatchState, "validators">): QuorumHealth | null {
  let total = 0n;
  let online = 0n;
  const offline: string[] = [];
  for (const v of s.validators) {
    let p: bigint;
    try {
      p = BigInt(v.power);
    } catch {
      continue;
    }
    total += p;
    if (v.online) online += p;
    else offline.push(v.name);
  }
  if (total === 0n) return null;
  const off = total - online;
  const offlinePct = Number((off * 100n + total - 1n) / total);
  return { onlinePower: online, totalPower: total, offlinePct, halted: 3n * online <= 2n * total, offline };
}

/** The banner line for a chain that cannot finalize, or null. */
export function haltBanner(s: Pick<WatchState, "validators">): string | null {
  const q = quorumHealth(s);
  if (!q?.halted) return null;
  const names =
    q.offline.length > 3
      ? `${q.offline.slice(0, 3).join(", ")}, +${q.offline.length - 3}`
      : q.offline.join(", ");
  return `CHAIN HALTED: ${q.offlinePct}% of power offline (${names}); finality needs >2/3 online`;
}

export interface Fit {
  validators: number;
  blocks: number;
  nodes: number;
}

/**
 * Rows for each list so that the whole screen fits in `rows` terminal lines, header first: fixed lines
 * (header 2, banner, titles, margins, key help) always show; validators, then nodes, then recent blocks
 * share what is left, each list keeping at least a few rows.
 */
export function fitRows(
  rows: number | undefined,
  s: Pick<WatchState, "validators" | "nodes" | "blocks">,
  banner: boolean,
): Fit {
  const want = { validators: s.validators.length, blocks: s.blocks.length, nodes: s.nodes.length };
  if (!rows || rows <= 0) return want;
  // header 2 + banner + matrix title and quorum line 2 + blocks title 1 + 4 margins + key help 1 (+1 spare)
  const left = rows - (2 + (banner ? 1 : 0) + 2 + 1 + 4 + 1 + 1);
  const min = {
    validators: Math.min(want.validators, 3),
    nodes: Math.min(want.nodes, 2),
    blocks: Math.min(want.blocks, 2),
  };
  let extra = Math.max(0, left - min.validators - min.nodes - min.blocks);
  const grow = (k: keyof Fit) => {
    const got = Math.min(want[k] - min[k], extra);
    extra -= got;
    return min[k] + got;
  };
  const validators = grow("validators");
  const nodes = grow("nodes");
  const blocks = grow("blocks");
  return { validators, blocks, nodes };
}
