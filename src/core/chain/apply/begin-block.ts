import { encode } from "../../codec/index.js";
import { BlockError, EvidenceError } from "../errors.js";
import type { State } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { type Commit, type Evidence, EvidenceCodec } from "../vote.js";
import { applyEvidence } from "./double-sign.js";
import { applyDowntime } from "./downtime.js";
import type { Penalty } from "./penalty.js";

/** Evidence a proposer left out of its block, with why (the pool drops it unless EVIDENCE_FUTURE). */
export interface RejectedEvidence {
  evidence: Evidence;
  error: EvidenceError;
}

/**
 * The start of a block, before its txs (issue 15): its evidence in order (double-sign penalties), then
 * downtime from its `lastCommit`. Before the txs so that no tx of the block (an undelegate, a delegate)
 * sees the validator at its pre-penalty exchange rate.
 * - validating (`skipInvalid` false): any invalid item makes the block invalid (BLOCK_BAD_EVIDENCE);
 * - building (`skipInvalid` true): invalid items are left out and reported, and items past the block's
 *   `maxBlockEvidence` / `maxBlockEvidenceBytes` are left for a later block.
 * @throws BlockError BLOCK_BAD_EVIDENCE (validating only)
 */
export function applyBeginBlock(
  state: State,
  tree: StateTree,
  o: { evidence: readonly Evidence[]; lastCommit: Commit | null; skipInvalid: boolean },
): {
  tree: StateTree;
  included: Evidence[];
  rejected: RejectedEvidence[];
  penalties: Penalty[];
} {
  const p = state.params;
  const ctx = { chainId: state.chainId, params: p, lastHeight: state.height };
  const included: Evidence[] = [];
  const rejected: RejectedEvidence[] = [];
  const penalties: Penalty[] = [];
  let bytes = 0;
  o.evidence.forEach((e, index) => {
    const size = encode(EvidenceCodec, e).length;
    if (o.skipInvalid && (included.length >= p.maxBlockEvidence || bytes + size > p.maxBlockEvidenceBytes))
      return;
    try {
      const r = applyEvidence(tree, ctx, e);
      tree = r.tree;
      penalties.push(r.penalty);
      included.push(e);
      bytes += size;
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
      if (!o.skipInvalid) {
        throw new BlockError(
          { code: "BLOCK_BAD_EVIDENCE", reason: err.message, index, evidenceCode: err.code },
          `evidence ${index} is invalid: ${err.message}`,
        );
      }
      rejected.push({ evidence: e, error: err });
    }
  });
  const down = applyDowntime(
    tree,
    { params: p, height: state.height + 1n },
    o.lastCommit,
    state.lastValidatorSet,
    state.validatorSet,
  );
  return { tree: down.tree, included, rejected, penalties: [...penalties, ...down.penalties] };
}
