import type { Params } from "../params.js";
import {
  putHistorySet,
  readHistorySet,
  readSetHistory,
  setHistoryKey,
  writeSetHistory,
} from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import type { ValidatorSet } from "../validator-set.js";

/**
 * Validator-set history (issue 15): evidence is validated against the set of its infraction height, not
 * the current one, so a validator that has since left the set (unbonded, fallen below the cut, jailed) is
 * still accountable for what it signed while in it. The set changes only at epoch boundaries and when a
 * validator is jailed, so one entry per change is stored, not one per height.
 *
 * Bounded: an entry is dropped once every height it covers is older than `evidenceMaxAgeBlocks` for any
 * later block, so the history holds at most the changes of one evidence window plus one.
 */

/**
 * Records `set` as the set in force from `startHeight` (the block that decided it is startHeight − 1) and
 * drops entries no block from `startHeight` on can need.
 */
export function recordValidatorSet(
  tree: StateTree,
  startHeight: bigint,
  set: ValidatorSet,
  params: Params,
): StateTree {
  let starts = readSetHistory(tree).filter((s) => s < startHeight);
  starts.push(startHeight);
  tree = putHistorySet(tree, startHeight, set);
  // A block at height ≥ startHeight accepts evidence from heights ≥ startHeight − maxAge; entry i covers
  // heights start[i] … start[i+1] − 1, so it is needed while start[i+1] > startHeight − maxAge.
  const oldest = startHeight - params.evidenceMaxAgeBlocks;
  let drop = 0;
  while (drop + 1 < starts.length && (starts[drop + 1] as bigint) <= oldest) {
    tree = tree.delete(setHistoryKey(starts[drop] as bigint));
    drop++;
  }
  starts = starts.slice(drop);
  return writeSetHistory(tree, starts);
}

/**
 * The validator set that signed blocks at `height`, from the history; undefined if the history no longer
 * (or never) covers it. Proposer priorities are not part of the history (all 0).
 */
export function validatorSetAt(tree: StateTree, height: bigint): ValidatorSet | undefined {
  const starts = readSetHistory(tree);
  let found: bigint | undefined;
  for (const s of starts) {
    if (s > height) break;
    found = s;
  }
  return found === undefined ? undefined : readHistorySet(tree, found);
}
