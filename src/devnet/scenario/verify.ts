import type { DevnetNode } from "../state.js";
import { chainView, genesisSupply, keystoreAddresses, supplySnapshot } from "./collect.js";
import { devnetOf, heightOf, liveNodes, providerOf, type RunContext, sleep } from "./context.js";
import { reachedAt } from "./events.js";
import {
  type ChainView,
  type CheckResult,
  checkBlockHashes,
  checkLiveness,
  checkSupply,
  checkTxInclusion,
  checkVotes,
  INVARIANT,
  type LivenessObservation,
} from "./invariants.js";
import type { Scenario } from "./schema.js";

/**
 * After the steps: waits for the loads to end, measures liveness, then reads every running node's chain
 * and supply and runs the built-in invariants on them and on the event streams. Stopped and paused nodes
 * are left out (and named in each result); what they announced while running still counts.
 */
export async function verifyInvariants(ctx: RunContext, inv: Scenario["invariants"]): Promise<CheckResult[]> {
  const d = devnetOf(ctx);
  const events = ctx.events?.data;
  if (!events) return [];
  await Promise.all(ctx.loads.map((l) => l.run.done.catch(() => undefined)));
  const p = providerOf(ctx);
  const states = await Promise.all(
    liveNodes(ctx).map(async (n) => ((await p.inspect(d, n)).state === "running" ? n : null)),
  );
  const nodes = states.filter((n): n is DevnetNode => n !== null);
  const left = d.nodes.filter((n) => !nodes.includes(n)).map((n) => n.name);
  const note = left.length ? ` (not checked: ${left.join(", ")} not running)` : "";
  const txs = new Set(ctx.loads.flatMap((l) => [...l.run.accepted]));
  const maxFinal = [...txs].reduce((m, h) => {
    const f = events.finalizedTxs.get(h);
    return f && BigInt(f.height) > m ? BigInt(f.height) : m;
  }, 0n);
  const results: CheckResult[] = [];
  const timed = async (name: string, on: boolean, f: () => Promise<CheckResult>) => {
    if (!on) return results.push({ name, status: "skipped", message: "turned off in this scenario" });
    const t = performance.now();
    try {
      const r = await f();
      results.push({ ...r, message: r.message + note, durationMs: performance.now() - t });
    } catch (err) {
      results.push({
        name,
        status: "failed",
        message: `could not check: ${(err as Error).message}`,
        durationMs: performance.now() - t,
      });
    }
  };
  const boundMs = inv.liveness === false ? 30_000 : inv.liveness.within;
  const live = await observeLiveness(ctx, nodes, boundMs, maxFinal);
  await timed(INVARIANT.liveness, inv.liveness !== false, async () => checkLiveness(live));
  const views: ChainView[] = [];
  const unread: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      try {
        views.push(await chainView(n, ctx.fromHeight));
      } catch (err) {
        unread.push(`${n.name}: ${(err as Error).message}`);
      }
    }),
  );
  views.sort((a, b) => (a.node < b.node ? -1 : 1));
  const withUnread = (r: CheckResult): CheckResult =>
    unread.length
      ? {
          ...r,
          status: "failed",
          details: [...(r.details ?? []), ...unread.map((u) => `could not read ${u}`)],
        }
      : r;
  await timed(INVARIANT.blockHashes, inv.blockHashes, async () =>
    withUnread(checkBlockHashes(views, events.blocks)),
  );
  await timed(INVARIANT.txInclusion, inv.txInclusion, async () =>
    withUnread(checkTxInclusion(views, events.finalizedTxs, txs)),
  );
  await timed(INVARIANT.supply, inv.supply, async () => {
    const g = genesisSupply(ctx.home, d.name);
    const addresses = [
      ...new Set([
        ...g.addresses,
        ...(await keystoreAddresses(ctx.home, d.name)),
        ...ctx.loads.flatMap((l) => l.run.addresses),
      ]),
    ];
    return checkSupply(g.supply, await Promise.all(nodes.map((n) => supplySnapshot(n, addresses))));
  });
  // Validators a `byzantine` step made double-sign are expected to: only the honest ones are checked.
  const honest = (validator: string) => !ctx.byzantine.has(validator);
  const votes = new Map([...events.votes].filter(([, seen]) => honest(seen[0]?.validator ?? "")));
  await timed(INVARIANT.votes, inv.votes, async () =>
    checkVotes(
      votes,
      events.evidence.filter((e) => honest(e.validator)),
    ),
  );
  return results;
}

/**
 * Liveness: after the last heal every running node must commit height(heal) + 2, and after the end every
 * running node must commit once more (and at least the highest block a load tx was final in, so that
 * the chains read next are comparable). Polls until all are there or the bound is over.
 */
async function observeLiveness(
  ctx: RunContext,
  nodes: DevnetNode[],
  boundMs: number,
  maxFinal: bigint,
): Promise<LivenessObservation> {
  const data = ctx.events?.data;
  const endAt = performance.now();
  const heights = await Promise.all(nodes.map(heightOf));
  const best = heights.reduce<bigint>((m, h) => (h !== null && h > m ? h : m), 0n);
  const endTarget = best + 1n > maxFinal ? best + 1n : maxFinal;
  const entries = nodes.flatMap((n) => [
    ...(ctx.lastHeal
      ? [{ node: n, since: "heal" as const, from: ctx.lastHeal.at, target: ctx.lastHeal.height + 2n }]
      : []),
    { node: n, since: "end" as const, from: endAt, target: endTarget },
  ]);
  const reached = new Map<(typeof entries)[number], { at: number; height: bigint }>();
  const last = new Map<string, bigint | null>();
  const deadline = Math.max(endAt, ...entries.map((e) => e.from)) + boundMs;
  while (reached.size < entries.length && performance.now() < deadline) {
    await Promise.all(nodes.map(async (n) => last.set(n.name, await heightOf(n))));
    for (const e of entries) {
      if (reached.has(e)) continue;
      const viaEvents = data ? reachedAt(data, e.node.name, e.target) : undefined;
      const h = last.get(e.node.name);
      if (viaEvents !== undefined) reached.set(e, { at: viaEvents, height: e.target });
      else if (h !== null && h !== undefined && h >= e.target)
        reached.set(e, { at: performance.now(), height: h });
    }
    if (reached.size < entries.length) await sleep(100);
  }
  return {
    boundMs,
    nodes: entries.map((e) => {
      const r = reached.get(e);
      const h = last.get(e.node.name);
      return {
        node: e.node.name,
        since: e.since,
        target: e.target.toString(),
        ms: r ? Math.max(0, r.at - e.from) : null,
        height: h === null || h === undefined ? null : h.toString(),
      };
    }),
  };
}
