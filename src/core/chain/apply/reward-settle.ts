import { decode, U64_MAX } from "../../codec/index.js";
import { TxError } from "../errors.js";
import {
  accruedKey,
  bytesToU256,
  REWARD_SCALE,
  readU64,
  readValidatorRewards,
  rewardDebtKey,
  u256ToBytes,
  writeU64,
  writeValidatorRewards,
} from "../product-state.js";
import { DelegationCodec, delegationKey } from "../state.js";
import type { StateTree } from "../state-tree.js";

/**
 * Delegator rewards by shares (docs/product-layer.md "Rewards"): a validator's delegator payouts raise its
 * per-share accumulator; a delegation remembers the accumulator value it was last paid up to, and is
 * settled — `shares × (acc − last) / REWARD_SCALE` moved from the validator's pot to the delegator's accrued
 * rewards — before its shares change (staking-store `putShares`) and on `withdraw-rewards`. So a payout
 * costs O(1) however many delegators a validator has, and nobody earns on shares held after a payout.
 * Floors only ever leave dust in the pot, so the pot always covers what its delegators can claim.
 */

function delegationShares(tree: StateTree, validator: Uint8Array, delegator: Uint8Array): bigint {
  const raw = tree.get(delegationKey(validator, delegator));
  return raw ? decode(DelegationCodec, raw).shares : 0n;
}

function lastAcc(tree: StateTree, validator: Uint8Array, delegator: Uint8Array): bigint {
  const raw = tree.get(rewardDebtKey(validator, delegator));
  return raw ? bytesToU256(raw) : 0n;
}

/** Rewards a delegation has earned and not yet settled (read-only). */
export function unsettledRewards(tree: StateTree, validator: Uint8Array, delegator: Uint8Array): bigint {
  const shares = delegationShares(tree, validator, delegator);
  if (shares === 0n) return 0n;
  const acc = readValidatorRewards(tree, validator).accPerShare;
  const earned = (shares * (acc - lastAcc(tree, validator, delegator))) / REWARD_SCALE;
  const pot = readValidatorRewards(tree, validator).pot;
  if (earned > pot) return pot;
  return earned;
}

/** Adds to an account's accrued (withdrawable) rewards. */
export function accrue(tree: StateTree, address: Uint8Array, amount: bigint): StateTree {
  if (amount === 0n) return tree;
  const have = readU64(tree, accruedKey(address));
  if (have + amount > U64_MAX)
    throw new TxError({ code: "TX_OVERFLOW", what: "accrued rewards" }, "accrued rewards would overflow");
  return writeU64(tree, accruedKey(address), have + amount);
}

/**
 * Settles a delegation at the current accumulator and records that value as paid. Call it before a share
 * change: the new shares then earn only from later payouts. With `sharesAfter` 0 the record is deleted.
 */
export function settleDelegation(
  tree: StateTree,
  validator: Uint8Array,
  delegator: Uint8Array,
  sharesAfter?: bigint,
): StateTree {
  const earned = unsettledRewards(tree, validator, delegator);
  const r = readValidatorRewards(tree, validator);
  if (earned > 0n) {
    tree = writeValidatorRewards(tree, validator, { ...r, pot: r.pot - earned });
    tree = accrue(tree, delegator, earned);
  }
  const key = rewardDebtKey(validator, delegator);
  const after = sharesAfter ?? delegationShares(tree, validator, delegator);
  if (after === 0n || r.accPerShare === 0n) return tree.delete(key);
  return tree.set(key, u256ToBytes(r.accPerShare));
}
