import { stateRoot } from "../core/chain/index.js";
import { toHex } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import type { SimConfig } from "./config.js";
import { Simulator } from "./simulator.js";
import { distribution } from "./stats.js";
import type { TraceLine } from "./types.js";

/**
 * One simulation, start to verdict: `runSimulation(config)` → a report whose `digest` is identical for
 * the same config and seed (it covers every decided block and every node's final state root, nothing
 * measured on the wall clock). A run fails on a safety violation (two blocks at one height, a weak commit,
 * an honest node asking its guard for a conflicting signature) or when the heights are not reached in the
 * virtual-time limit.
 */
export interface SimReport {
  seed: string;
  validators: number;
  heights: number;
  preset: string;
  signer: "real" | "fake";
  engine: "real" | "custom";
  reached: number;
  simulatedMs: number;
  safety: { ok: boolean; violations: string[] };
  liveness: { ok: boolean; detail: string };
  blockTimeMs: ReturnType<typeof distribution>;
  commitLatencyMs: ReturnType<typeof distribution>;
  rounds: {
    histogram: Record<string, number>;
    max: number;
    heightsOver0: { height: number; round: number }[];
  };
  messages: Record<string, number>;
  chain: {
    txsAdmitted: number;
    txsCommitted: number;
    txRejected: number;
    penalties: { height: string; validator: string; reason: string; burned: string; tombstoned: boolean }[];
    finalValidators: number;
  };
  proposers: { node: number; blocks: number }[];
  work: { engineSteps: number; signatures: number; verifications: number; blockExecutions: number };
  digest: string;
  wallMs?: number;
}

export function runSimulation(
  config: SimConfig,
  o: { trace?: (line: TraceLine) => void; onSim?: (sim: Simulator) => void } = {},
): SimReport {
  const sim = new Simulator(config, o.trace ? { trace: o.trace } : {});
  o.onSim?.(sim);
  sim.start();
  const reached = sim.run();
  const report = reportOf(sim, reached);
  o.trace?.({ type: "summary", at: sim.now, report: { ...report } });
  return report;
}

export function reportOf(sim: Simulator, reached: boolean): SimReport {
  const s = sim.stats;
  const c = sim.config;
  const honest = sim.nodes.filter((n) => !n.behaviours.length);
  const violations = [...sim.violations];
  for (const n of honest)
    if (n.refused)
      violations.push(`honest node v${n.id} asked its guard for ${n.refused} conflicting signature(s)`);
  const top = Math.max(0, ...sim.nodes.map((n) => Number(n.chain.height)));
  const lowLive = Math.min(...honest.filter((n) => n.alive).map((n) => Number(n.chain.height)), top);
  const gaps: number[] = [];
  for (let i = 1; i < s.commitAt.length; i++) {
    const a = s.commitAt[i - 1];
    const b = s.commitAt[i];
    if (a !== undefined && b !== undefined) gaps.push(b - a);
  }
  const histogram: Record<string, number> = {};
  const over: { height: number; round: number }[] = [];
  s.rounds.forEach((r, i) => {
    histogram[r] = (histogram[r] ?? 0) + 1;
    if (r > 0) over.push({ height: i + 1, round: r });
  });
  const digestInput = [
    c.seed,
    ...[...sim.decisions.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([h, x]) => `${h}:${x}`),
    ...sim.nodes.map((n) => `v${n.id}:${n.chain.height}:${toHex(stateRoot(n.chain))}`),
  ].join("\n");
  return {
    seed: c.seed,
    validators: c.validators,
    heights: c.heights,
    preset: c.preset,
    signer: sim.signer.kind,
    engine: c.engine ? "custom" : "real",
    reached: lowLive,
    simulatedMs: sim.now,
    safety: { ok: violations.length === 0, violations: violations.slice(0, 20) },
    liveness: {
      ok: reached,
      detail: reached
        ? `every live honest validator committed ${c.heights} ${c.heights === 1 ? "height" : "heights"} in ${sim.now} ms of virtual time`
        : `stalled: lowest live honest validator at height ${lowLive} (highest ${top}) after ${sim.now} ms (limit ${c.maxTimeMs} ms)`,
    },
    blockTimeMs: distribution(gaps),
    commitLatencyMs: distribution(s.latencies),
    rounds: { histogram, max: s.rounds.reduce((m, r) => Math.max(m, r), 0), heightsOver0: over.slice(0, 50) },
    messages: {
      proposals: s.sent.proposal,
      prevotes: s.sent.prevote,
      precommits: s.sent.precommit,
      total: s.sent.proposal + s.sent.prevote + s.sent.precommit,
      lost: s.lost,
      resent: s.resent,
      relayed: s.relayed,
      stale: s.stale,
      afterDecision: s.late,
      futureDropped: s.futureDropped,
      badSignatures: s.badSignatures,
      wrongProposer: s.wrongProposer,
      invalidBlocks: s.invalidBlocks,
      evidence: s.evidenceSeen,
      syncRequests: s.syncRequests,
      blocksSynced: s.synced,
      crashes: s.crashes,
      restarts: s.restarts,
      walReplayed: s.walReplayed,
    },
    chain: {
      txsAdmitted: sim.load.admitted,
      txsCommitted: sim.load.committed,
      txRejected: s.txRejected,
      penalties: s.penalties.slice(0, 50),
      finalValidators: Math.max(
        ...honest.filter((n) => n.alive).map((n) => n.chain.validatorSet.validators.length),
        0,
      ),
    },
    proposers: s.proposerCount.map((blocks, node) => ({ node, blocks })),
    work: {
      engineSteps: s.steps,
      signatures: s.signatures,
      verifications: sim.glue.verifies,
      blockExecutions: sim.glue.applies,
    },
    digest: toHex(sha256(new TextEncoder().encode(digestInput))),
  };
}
