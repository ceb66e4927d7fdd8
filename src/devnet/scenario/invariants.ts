import type { VoteRecord } from "./events.js";

/**
 * The built-in invariants of `fastpos devnet test` (issue 16), checked after the steps on every node. Pure
 * functions over what the runner collected (`collect.ts`: each node's blocks and supply; `events.ts`: the
 * event streams), so a test can hand them real-shaped data with one thing broken and see the matching
 * check fail.
 */
export interface CheckResult {
  name: string;
  status: "passed" | "failed" | "skipped";
  message: string;
  details?: string[];
  durationMs?: number;
}

/** One node's chain as its API reports it: blocks 1..height. */
export interface ChainView {
  node: string;
  height: string;
  blocks: { height: string; hash: string; txs: string[] }[];
}

export interface SupplySnapshot {
  node: string;
  height: string;
  balances: bigint;
  staked: bigint;
  unbonding: bigint;
  /** What the node itself reports (`GET /v1/supply`) at the same height: its total and the tokens burned. */
  total: bigint;
  burned: bigint;
  /** Tokens minted as epoch rewards since genesis (product layer). */
  minted: bigint;
}

export const INVARIANT = {
  blockHashes: "one block hash per height",
  txInclusion: "every finalized tx in exactly one block on every node",
  supply: "supply conserved",
  votes: "no validator signed two different votes for one height/round/type",
  liveness: "liveness (after the last heal and at the end)",
} as const;

const MAX_DETAILS = 20;

function result(name: string, problems: string[], ok: string, bad: (n: number) => string): CheckResult {
  if (!problems.length) return { name, status: "passed", message: ok };
  const details = problems.slice(0, MAX_DETAILS);
  if (problems.length > MAX_DETAILS) details.push(`… and ${problems.length - MAX_DETAILS} more`);
  return { name, status: "failed", message: bad(problems.length), details };
}

const short = (h: string) => `${h.slice(0, 12)}…`;

/** Every height has one block hash across all nodes' APIs and event streams. */
export function checkBlockHashes(
  views: ChainView[],
  announced: Map<string, Map<string, string>>,
): CheckResult {
  const byHeight = new Map<string, Map<string, Set<string>>>();
  const add = (height: string, hash: string, node: string) => {
    const hashes = byHeight.get(height) ?? new Map<string, Set<string>>();
    byHeight.set(height, hashes);
    const nodes = hashes.get(hash) ?? new Set<string>();
    hashes.set(hash, nodes);
    nodes.add(node);
  };
  for (const v of views) for (const b of v.blocks) add(b.height, b.hash, v.node);
  for (const [node, m] of announced) for (const [h, hash] of m) add(h, hash, node);
  const problems = [...byHeight]
    .filter(([, hashes]) => hashes.size > 1)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(
      ([h, hashes]) =>
        `height ${h}: ${[...hashes].map(([hash, ns]) => `${short(hash)} on ${[...ns].sort().join(",")}`).join("; ")}`,
    );
  return result(
    INVARIANT.blockHashes,
    problems,
    `${byHeight.size} heights, one hash each`,
    (n) => `${n} heights with conflicting blocks`,
  );
}

/** Each tx the load saw final is in exactly one block of every node's chain. */
export function checkTxInclusion(
  views: ChainView[],
  finalized: Map<string, { height: string; node: string }>,
  txs: Iterable<string>,
): CheckResult {
  const final = [...txs].filter((h) => finalized.has(h));
  const problems: string[] = [];
  for (const v of views) {
    const where = new Map<string, string[]>();
    for (const b of v.blocks) for (const tx of b.txs) where.set(tx, [...(where.get(tx) ?? []), b.height]);
    for (const tx of final) {
      const at = where.get(tx) ?? [];
      const seen = finalized.get(tx) as { height: string; node: string };
      if (at.length === 0)
        problems.push(
          `${short(tx)} missing on ${v.node} (at height ${v.height}; final at ${seen.height} on ${seen.node})`,
        );
      else if (at.length > 1)
        problems.push(`${short(tx)} in ${at.length} blocks on ${v.node} (heights ${at.join(", ")})`);
    }
  }
  return result(
    INVARIANT.txInclusion,
    problems,
    `${final.length} finalized txs, each in one block on ${views.length} nodes`,
    (n) => `${n} inclusion problems`,
  );
}

/**
 * Supply conserved on every node: what it reports as total + burned (slashing burns) equals the genesis
 * supply plus what epoch rewards minted, and the devnet's accounts + stake + unbonding, read one by one,
 * are no more than that total (the rest sits in the product layer's pools, escrows and bonds).
 */
export function checkSupply(expected: bigint, snapshots: SupplySnapshot[]): CheckResult {
  const problems: string[] = [];
  for (const s of snapshots) {
    const walked = s.balances + s.staked + s.unbonding;
    const kept = s.total + s.burned - s.minted;
    if (kept !== expected)
      problems.push(
        `${s.node} at height ${s.height}: total ${s.total} + burned ${s.burned} − minted ${s.minted} = ${kept}, ${kept > expected ? "+" : "−"}${kept > expected ? kept - expected : expected - kept} against genesis`,
      );
    if (walked > s.total)
      problems.push(
        `${s.node} at height ${s.height}: balances ${s.balances} + staked ${s.staked} + unbonding ${s.unbonding} = ${walked}, more than the node's reported total ${s.total}`,
      );
  }
  return result(
    INVARIANT.supply,
    problems,
    `${expected} on ${snapshots.length} nodes`,
    (n) => `supply problems: ${n} (genesis: ${expected})`,
  );
}

/** No (validator, height, round, type) with two values in any node's vote events, and no evidence event. */
export function checkVotes(
  votes: Map<string, VoteRecord[]>,
  evidence: { node: string; height: string; validator: string }[],
): CheckResult {
  const problems: string[] = [];
  for (const seen of votes.values()) {
    if (seen.length < 2) continue;
    const v = seen[0] as VoteRecord;
    problems.push(
      `${short(v.validator)} ${v.voteType} at height ${v.height} round ${v.round}: ${seen.map((s) => `${s.value === "nil" ? "nil" : short(s.value)} (seen by ${s.node})`).join(" vs ")}`,
    );
  }
  for (const e of evidence)
    problems.push(
      `${e.node} reported duplicate-vote evidence against ${short(e.validator)} at height ${e.height}`,
    );
  return result(
    INVARIANT.votes,
    problems,
    `${votes.size} votes, none conflicting`,
    (n) => `${n} double votes`,
  );
}

export interface LivenessObservation {
  boundMs: number;
  /**
   * Per running node and reference point (`heal`: the last heal; `end`: the end of the steps and loads):
   * ms from that point until the node committed `target`, or null if it did not within the bound.
   */
  nodes: { node: string; since: "heal" | "end"; target: string; ms: number | null; height: string | null }[];
}

const SINCE = { heal: "the last heal", end: "the end of the steps" } as const;

export function checkLiveness(o: LivenessObservation): CheckResult {
  const problems = o.nodes
    .filter((n) => n.ms === null || n.ms > o.boundMs)
    .map(
      (n) =>
        `${n.node} did not reach height ${n.target} within ${o.boundMs / 1000} s of ${SINCE[n.since]} (at ${n.height ?? "unreachable"}${n.ms !== null ? `, reached after ${Math.round(n.ms)} ms` : ""})`,
    );
  if (!o.nodes.length) problems.push("no running node to check");
  const worst = (since: "heal" | "end") =>
    Math.round(Math.max(0, ...o.nodes.filter((n) => n.since === since).map((n) => n.ms ?? 0)));
  const heal = o.nodes.some((n) => n.since === "heal") ? `${worst("heal")} ms after the last heal, ` : "";
  return result(
    INVARIANT.liveness,
    problems,
    `${new Set(o.nodes.map((n) => n.node)).size} nodes committed ${heal}${worst("end")} ms after the end (bound ${o.boundMs / 1000} s)`,
    (n) => `${n} liveness failures`,
  );
}
