import { U64_MAX } from "../../codec/index.js";
import { BlockError } from "../errors.js";
import type { Params } from "../params.js";
import {
  MINTED_KEY,
  REWARD_POOL_KEY,
  REWARD_SCALE,
  readChallenge,
  readReport,
  readU64,
  readValidatorRewards,
  vestingKey,
  writeU64,
  writeValidatorRewards,
} from "../product-state.js";
import { BPS } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import type { ValidatorSet } from "../validator-set.js";
import { accrue } from "./reward-settle.js";
import { findValidator } from "./staking-store.js";

/**
 * Epoch rewards (docs/product-layer.md "Rewards"). At the boundary that ends epoch E:
 * 1. `rewardPerEpoch` is minted into the reward pool (which also holds protocol fees, forfeited rewards and
 *    lost challenge bonds);
 * 2. the pool is split over the validators that were in the set at E's last block, each getting
 *    pool × stake·workWeight / Σ stake·workWeight (floored; the remainder stays in the pool), and each share
 *    vests under (E, validator) — except for a validator whose report of E was already found fraudulent
 *    (its share stays in the pool, as if it had vested and been forfeited);
 * 3. the vesting of epoch E − challengeWindowEpochs is released — commission to the operator's accrued
 *    rewards, the rest to delegators by shares — unless a challenge of that report is still open (it is
 *    released or forfeited when the committee resolves it).
 * @throws BlockError BLOCK_MALFORMED only if minting would pass 2^64−1 (genesis bounds make it unreachable).
 */
export function processEpochRewards(
  tree: StateTree,
  endedEpoch: bigint,
  set: ValidatorSet,
  params: Params,
  validators: readonly Uint8Array[],
): StateTree {
  const minted = readU64(tree, MINTED_KEY);
  let pool = readU64(tree, REWARD_POOL_KEY) + params.rewardPerEpoch;
  if (minted + params.rewardPerEpoch > U64_MAX || pool > U64_MAX)
    throw new BlockError({ code: "BLOCK_MALFORMED", reason: "reward overflow" }, "reward supply overflow");
  tree = writeU64(tree, MINTED_KEY, minted + params.rewardPerEpoch);
  const weights = set.validators.map((v) => v.power * v.workWeight);
  const total = weights.reduce((s, w) => s + w, 0n);
  if (total > 0n) {
    const start = pool;
    set.validators.forEach((v, i) => {
      const share = (start * (weights[i] as bigint)) / total;
      if (share === 0n) return;
      // A report of this epoch already found fraudulent forfeits the epoch's reward before it vests (the
      // committee may resolve a challenge while the epoch is still running): the share stays in the pool.
      if (readReport(tree, endedEpoch, v.address)?.status === "fraud") return;
      pool -= share;
      tree = writeU64(
        tree,
        vestingKey(endedEpoch, v.address),
        readU64(tree, vestingKey(endedEpoch, v.address)) + share,
      );
    });
  }
  tree = writeU64(tree, REWARD_POOL_KEY, pool);
  const due = endedEpoch - params.challengeWindowEpochs;
  if (due < 0n) return tree;
  for (const address of validators) {
    if (readChallenge(tree, due, address)) continue;
    tree = releaseVesting(tree, due, address);
  }
  return tree;
}

/** Pays out a validator's vested reward of `epoch` (no-op if none): commission, then delegators by shares. */
export function releaseVesting(tree: StateTree, epoch: bigint, validator: Uint8Array): StateTree {
  const key = vestingKey(epoch, validator);
  const amount = readU64(tree, key);
  if (amount === 0n) return tree;
  tree = tree.delete(key);
  const v = findValidator(tree, validator);
  if (!v) return addToPool(tree, amount);
  const commission = (amount * BigInt(v.commission)) / BPS;
  const rest = amount - commission;
  tree = accrue(tree, v.operator, commission);
  if (rest === 0n) return tree;
  if (v.shares === 0n) return addToPool(tree, rest);
  const r = readValidatorRewards(tree, validator);
  return writeValidatorRewards(tree, validator, {
    accPerShare: r.accPerShare + (rest * REWARD_SCALE) / v.shares,
    pot: r.pot + rest,
  });
}

/** Forfeits a validator's vested reward of `epoch` back into the pool; returns the amount. */
export function forfeitVesting(
  tree: StateTree,
  epoch: bigint,
  validator: Uint8Array,
): { tree: StateTree; forfeited: bigint } {
  const key = vestingKey(epoch, validator);
  const amount = readU64(tree, key);
  if (amount === 0n) return { tree, forfeited: 0n };
  return { tree: addToPool(tree.delete(key), amount), forfeited: amount };
}

/** Adds tokens to the reward pool (paid out at the next boundary). */
export function addToPool(tree: StateTree, amount: bigint): StateTree {
  const pool = readU64(tree, REWARD_POOL_KEY);
  if (pool + amount > U64_MAX)
    throw new BlockError({ code: "BLOCK_MALFORMED", reason: "reward overflow" }, "reward pool overflow");
  return writeU64(tree, REWARD_POOL_KEY, pool + amount);
}
