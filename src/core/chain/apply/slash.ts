import { bytesEqual } from "../../codec/index.js";
import { addBurned, BPS, readSlashingInfo, writeSlashingInfo } from "../slashing-state.js";
import { UNBONDING_INDEX_KEY } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { findValidator, putValidator, readIndex, readUnbonding, writeUnbonding } from "./staking-store.js";

/**
 * Burns `fraction` (basis points) of a validator's stake (DESIGN.md §3, issue 15):
 * - its bonded stake: only `stake` shrinks, `shares` do not, so every delegator (the operator's self-bond
 *   included) loses the same share through the exchange rate, with no per-delegator writes;
 * - every unbonding entry from it created at or after `infractionHeight`: those tokens were bonded when the
 *   infraction was signed (an unbond in block h executes after the votes on block h were cast), so leaving
 *   would not escape the penalty. Entries from earlier heights were already on their way out and are kept.
 * Amounts round down (the validator keeps the dust). The burned total goes to the `burned` counter, so
 * `totalSupply + burned` is conserved. A missing validator burns nothing.
 * PERF: O(delegators with unbonding entries); slashing is rare.
 */
export function slashValidator(
  tree: StateTree,
  validator: Uint8Array,
  fraction: number,
  infractionHeight: bigint,
): { tree: StateTree; burned: bigint } {
  const v = findValidator(tree, validator);
  if (!v || fraction === 0) return { tree, burned: 0n };
  const bps = BigInt(fraction);
  const fromStake = (v.stake * bps) / BPS;
  let burned = fromStake;
  if (fromStake > 0n) tree = putValidator(tree, validator, { ...v, stake: v.stake - fromStake });
  for (const delegator of readIndex(tree, UNBONDING_INDEX_KEY)) {
    const entries = readUnbonding(tree, delegator);
    let cut = 0n;
    const next = entries
      .map((e) => {
        if (!bytesEqual(e.validator, validator) || e.creationHeight < infractionHeight) return e;
        const take = (e.amount * bps) / BPS;
        cut += take;
        return { ...e, amount: e.amount - take };
      })
      .filter((e) => e.amount > 0n);
    if (cut === 0n) continue;
    burned += cut;
    tree = writeUnbonding(tree, delegator, next);
  }
  if (burned === 0n) return { tree, burned };
  const info = readSlashingInfo(tree, validator);
  tree = writeSlashingInfo(tree, validator, { ...info, slashed: info.slashed + burned });
  return { tree: addBurned(tree, burned), burned };
}
