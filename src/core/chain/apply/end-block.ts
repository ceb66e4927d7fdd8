import { bytesEqual } from "../../codec/index.js";
import { readCommittedEvidence, writeCommittedEvidence } from "../slashing-state.js";
import { type State, VALIDATOR_INDEX_KEY } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { hashValidatorSet, type ValidatorSet, withoutValidators } from "../validator-set.js";
import { endsEpoch, processEpochBoundary } from "./epoch.js";
import type { Penalty } from "./penalty.js";
import { processEpochRewards } from "./rewards.js";
import { recordValidatorSet } from "./set-history.js";
import { epochOf, readIndex } from "./staking-store.js";

/**
 * After the txs: decides the set for the next height and keeps the slashing bookkeeping bounded.
 *
 * JAILING POINT (issue 15, DESIGN.md §3): a validator jailed in block H leaves the active set at H+1 — the
 * very next height — mid-epoch if need be; all other set changes still wait for the epoch boundary. Safe
 * because this chain executes a block before voting on it: block H's header commits to the next set
 * (`nextValidatorsHash`), every validator re-derives it before prevoting, and the commit of H is still
 * checked against the set of H (`lastValidatorSet`), exactly as at an epoch boundary. Waiting for the
 * boundary instead would leave a tombstoned validator — with nothing left to lose — up to epochLength − 1
 * blocks (999 on mainnet-like) of voting power, and an offline one that long in the quorum's denominator.
 *
 * Then, if the set changed, it is stored in the set history (evidence is checked against the set of its
 * infraction height), and committed evidence keys too old for any later block are dropped.
 */
export function finishBlock(
  state: State,
  tree: StateTree,
  penalties: readonly Penalty[],
): { tree: StateTree; nextSet: ValidatorSet } {
  const height = state.height + 1n;
  let nextSet = withoutValidators(
    state.validatorSet,
    penalties.map((p) => p.validator),
  );
  const boundary = endsEpoch(height, state.params);
  if (boundary) {
    // Rewards of the ending epoch first: its set (minus validators jailed in this block) and workWeights.
    tree = processEpochRewards(
      tree,
      epochOf(height, state.params),
      nextSet,
      state.params,
      readIndex(tree, VALIDATOR_INDEX_KEY),
    );
    const r = processEpochBoundary(tree, height, state.params, nextSet);
    tree = r.tree;
    nextSet = r.set;
  }
  // NOTE: the set never becomes empty. When jailing (or a boundary) would leave no validator, the current
  // set carries on — penalties, jail and tombstone still stand — so the chain can still make blocks (and
  // include an unjail or a new bond) instead of halting for good with nobody allowed to propose.
  if (nextSet.validators.length === 0) nextSet = state.validatorSet;
  if (
    (boundary || nextSet !== state.validatorSet) &&
    !bytesEqual(hashValidatorSet(nextSet), hashValidatorSet(state.validatorSet))
  ) {
    tree = recordValidatorSet(tree, height + 1n, nextSet, state.params);
  }
  return { tree: expireEvidence(tree, height, state.params.evidenceMaxAgeBlocks), nextSet };
}

/**
 * Drops committed evidence keys no block after `height` could carry again (infraction height + maxAge ≤
 * height: EVIDENCE_TOO_OLD from then on), so the list stays bounded.
 */
function expireEvidence(tree: StateTree, height: bigint, maxAge: bigint): StateTree {
  const list = readCommittedEvidence(tree);
  const keep = list.filter((e) => e.height + maxAge > height);
  return keep.length === list.length ? tree : writeCommittedEvidence(tree, keep);
}
