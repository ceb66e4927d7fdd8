import type { ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import { accruedKey, readU64 } from "../product-state.js";
import type { WithdrawRewardsCodec } from "../product-tx.js";
import { VALIDATOR_INDEX_KEY } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { requireVersion } from "./product-rules.js";
import { settleDelegation, unsettledRewards } from "./reward-settle.js";
import { credit, readIndex } from "./staking-store.js";

/**
 * Everything `address` could withdraw now: its accrued rewards (commission, settled delegator rewards)
 * plus what its delegations have earned since they were last settled. Read-only (`query rewards`).
 */
export function withdrawableRewards(
  tree: StateTree,
  address: Uint8Array,
): { accrued: bigint; unsettled: { validator: Uint8Array; amount: bigint }[]; total: bigint } {
  const accrued = readU64(tree, accruedKey(address));
  const unsettled = [];
  let total = accrued;
  for (const validator of readIndex(tree, VALIDATOR_INDEX_KEY)) {
    const amount = unsettledRewards(tree, validator, address);
    if (amount === 0n) continue;
    unsettled.push({ validator, amount });
    total += amount;
  }
  return { accrued, unsettled, total };
}

/**
 * `withdraw-rewards` (docs/product-layer.md "Rewards"): settles every delegation of the sender and moves
 * all its accrued rewards to its balance. PERF: O(validators) reads; writes only where something is owed.
 * @throws TxError TX_BAD_ARGUMENT | TX_ZERO_AMOUNT (nothing to withdraw) | TX_OVERFLOW
 */
export function applyWithdrawRewards(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof WithdrawRewardsCodec>,
): StateTree {
  requireVersion(p.version);
  const { unsettled } = withdrawableRewards(tree, sender);
  for (const u of unsettled) tree = settleDelegation(tree, u.validator, sender);
  const amount = readU64(tree, accruedKey(sender));
  if (amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "no rewards to withdraw");
  return credit(tree.delete(accruedKey(sender)), sender, amount);
}
