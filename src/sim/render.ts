import type { SimReport } from "./run.js";

/** The human form of a report (`fastpos sim` without --json). */
export function renderReport(r: SimReport, reproduce: string): string {
  const d = (x: SimReport["blockTimeMs"]) =>
    `p50 ${x.p50} ms  p90 ${x.p90} ms  p99 ${x.p99} ms  max ${x.max} ms  mean ${x.mean} ms`;
  const m = r.messages;
  const rounds = Object.entries(r.rounds.histogram)
    .map(([round, n]) => `round ${round}: ${n}`)
    .join(", ");
  const lines = [
    `fastpos sim: ${r.validators} validators × ${r.heights} ${r.heights === 1 ? "height" : "heights"}, seed ${r.seed}, preset ${r.preset}, ` +
      `${r.signer === "real" ? "ed25519 signatures" : "FAKE signatures (--fake-signer: no ed25519, blocks checked by their builder only)"}` +
      `${r.engine === "real" ? "" : ", CUSTOM engine"}`,
    `  safety         ${r.safety.ok ? "OK" : "VIOLATED"}${r.safety.ok ? " (one block per height, every commit > 2/3, no honest double-sign attempt)" : ""}`,
    ...r.safety.violations.map((v) => `                 - ${v}`),
    `  liveness       ${r.liveness.ok ? "OK" : "FAILED"}: ${r.liveness.detail}`,
    `  block time     ${r.heights < 2 ? "- (one height: no interval between two blocks)" : d(r.blockTimeMs)}`,
    `  commit latency ${d(r.commitLatencyMs)}`,
    `  rounds         ${rounds || "-"} (max ${r.rounds.max})`,
    `  messages       ${m.total} sent (${m.proposals} proposals, ${m.prevotes} prevotes, ${m.precommits} precommits); ` +
      `${m.lost} lost, ${m.resent} re-sent, ${m.badSignatures} bad signatures, ${m.futureDropped} future dropped, ` +
      `${m.syncRequests} sync requests (${m.blocksSynced} blocks)`,
    `  faults         ${m.crashes} crashes, ${m.restarts} restarts (${m.walReplayed} WAL records replayed), ${m.evidence} evidence seen`,
    `  chain          ${r.chain.txsCommitted}/${r.chain.txsAdmitted} txs committed, ${r.chain.penalties.length} penalties, ${r.chain.finalValidators} validators at the end`,
    `  work           ${r.work.engineSteps} engine steps, ${r.work.signatures} signatures, ${r.work.verifications} verifications, ` +
      `${r.work.blockExecutions} block executions${r.wallMs !== undefined ? `; ${(r.wallMs / 1000).toFixed(1)} s wall` : ""}`,
    `  digest         ${r.digest}`,
  ];
  if (!r.safety.ok || !r.liveness.ok) lines.push(`FAILED. Reproduce with: ${reproduce}`);
  return lines.join("\n");
}
