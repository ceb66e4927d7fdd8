import { U64_MAX } from "../../codec/index.js";
import { readCommittedEvidence, writeCommittedEvidence } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import type { Evidence } from "../vote.js";
import { checkEvidence, type EvidenceContext, evidenceKeyOf } from "./evidence.js";
import { jailValidator } from "./jail.js";
import type { Penalty } from "./penalty.js";
import { slashValidator } from "./slash.js";

/**
 * Double-sign (issue 15): valid duplicate-vote or conflicting-proposal evidence in a block records its key (so no block can carry
 * it again), burns `slashFractionDoubleSign` of the validator's stake — delegators through the exchange
 * rate, unbonding entries created at or after the infraction height too — and tombstones and jails it:
 * it leaves the active set at the next height and can never unjail.
 * A block's evidence is applied in order, each item checked against the state the previous ones left, so
 * a second item about the same validator in one block is EVIDENCE_TOMBSTONED (penalised at most once).
 * @throws EvidenceError (the block is invalid; a proposer leaves the item out instead)
 */
export function applyEvidence(
  tree: StateTree,
  ctx: EvidenceContext,
  e: Evidence,
): { tree: StateTree; penalty: Penalty } {
  const validator = checkEvidence(tree, ctx, e);
  const key = evidenceKeyOf(e);
  const committedAt = ctx.lastHeight + 1n;
  tree = writeCommittedEvidence(tree, [...readCommittedEvidence(tree), { ...key, committedAt }]);
  const slashed = slashValidator(tree, validator, ctx.params.slashFractionDoubleSign, key.height);
  tree = jailValidator(slashed.tree, validator, { until: U64_MAX, reason: "double-sign", tombstone: true });
  return {
    tree,
    penalty: {
      validator,
      reason: "double-sign",
      infractionHeight: key.height,
      burned: slashed.burned,
      jailedUntil: U64_MAX,
      tombstoned: true,
      evidence: key,
    },
  };
}
