import { decode, encode, toHex, U64_MAX } from "../../codec/index.js";
import { encodeAddress } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import {
  AccountCodec,
  AddressListCodec,
  accountKey,
  DelegationCodec,
  delegationKey,
  getAccount,
  UNBONDING_INDEX_KEY,
  type UnbondingEntry,
  UnbondingQueueCodec,
  unbondingKey,
  VALIDATOR_INDEX_KEY,
  type Validator,
  ValidatorCodec,
  validatorKey,
} from "../state.js";
import type { StateTree } from "../state-tree.js";
import { settleDelegation } from "./reward-settle.js";

/**
 * Typed access to staking state for the apply functions (DESIGN.md §3), with checked u64 arithmetic.
 * Indexes (all validator addresses; all delegators with unbonding entries) keep epoch processing
 * O(validators + unbonders) instead of O(state).
 */

const hex = (b: Uint8Array) => toHex(b);

export function readIndex(tree: StateTree, key: Uint8Array): Uint8Array[] {
  const raw = tree.get(key);
  return raw ? decode(AddressListCodec, raw) : [];
}

export function addToIndex(tree: StateTree, key: Uint8Array, address: Uint8Array): StateTree {
  const list = readIndex(tree, key);
  if (list.some((a) => hex(a) === hex(address))) return tree;
  const next = [...list, address].sort((a, b) => hex(a).localeCompare(hex(b)));
  return tree.set(key, encode(AddressListCodec, next));
}

export function removeFromIndex(tree: StateTree, key: Uint8Array, address: Uint8Array): StateTree {
  const list = readIndex(tree, key).filter((a) => hex(a) !== hex(address));
  return list.length ? tree.set(key, encode(AddressListCodec, list)) : tree.delete(key);
}

export function checkedAdd(a: bigint, b: bigint, what: string): bigint {
  if (a + b > U64_MAX) throw new TxError({ code: "TX_OVERFLOW", what }, `${what} would exceed 2^64-1`);
  return a + b;
}

export function debit(tree: StateTree, address: Uint8Array, amount: bigint): StateTree {
  const a = getAccount(tree, address);
  if (a.balance < amount) {
    throw new TxError(
      { code: "TX_INSUFFICIENT_FUNDS", need: amount, have: a.balance },
      `insufficient funds: need ${amount}, have ${a.balance}`,
    );
  }
  return tree.set(accountKey(address), encode(AccountCodec, { ...a, balance: a.balance - amount }));
}

export function credit(tree: StateTree, address: Uint8Array, amount: bigint): StateTree {
  const a = getAccount(tree, address);
  return tree.set(
    accountKey(address),
    encode(AccountCodec, { ...a, balance: checkedAdd(a.balance, amount, "balance") }),
  );
}

export function findValidator(tree: StateTree, address: Uint8Array): Validator | undefined {
  const raw = tree.get(validatorKey(address));
  return raw ? decode(ValidatorCodec, raw) : undefined;
}

export function requireValidator(tree: StateTree, address: Uint8Array): Validator {
  const v = findValidator(tree, address);
  if (!v) {
    const validator = encodeAddress(address);
    throw new TxError({ code: "TX_UNKNOWN_VALIDATOR", validator }, `no validator ${validator}`);
  }
  return v;
}

export function requireOperator(v: Validator, address: Uint8Array, sender: Uint8Array): void {
  if (hex(v.operator) !== hex(sender)) {
    const validator = encodeAddress(address);
    throw new TxError(
      { code: "TX_NOT_OPERATOR", validator },
      `only the operator of ${validator} may do this`,
    );
  }
}

export function putValidator(tree: StateTree, address: Uint8Array, v: Validator): StateTree {
  return addToIndex(tree.set(validatorKey(address), encode(ValidatorCodec, v)), VALIDATOR_INDEX_KEY, address);
}

export function getShares(tree: StateTree, validator: Uint8Array, delegator: Uint8Array): bigint {
  const raw = tree.get(delegationKey(validator, delegator));
  return raw ? decode(DelegationCodec, raw).shares : 0n;
}

export function putShares(
  tree: StateTree,
  validator: Uint8Array,
  delegator: Uint8Array,
  shares: bigint,
): StateTree {
  // Rewards earned on the old shares are settled first (apply/reward-settle.ts).
  tree = settleDelegation(tree, validator, delegator, shares);
  const key = delegationKey(validator, delegator);
  return shares === 0n ? tree.delete(key) : tree.set(key, encode(DelegationCodec, { shares }));
}

/**
 * Shares minted for `amount` tokens at the validator's current exchange rate (1:1 when empty).
 * @throws TxError TX_BAD_ARGUMENT when slashing burned all of its stake but shares remain: any rate would
 *   hand the new tokens to the old, worthless shares.
 */
export function sharesFor(v: Validator, amount: bigint): bigint {
  if (v.shares === 0n) return amount;
  if (v.stake === 0n) {
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "validator slashed to zero" },
      "this validator's stake was slashed to zero; its shares are worthless and it takes no new stake",
    );
  }
  return (amount * v.shares) / v.stake;
}

/** Tokens `shares` are worth (rounded down: the remainder stays with the validator). */
export function tokensFor(v: Validator, shares: bigint): bigint {
  return v.shares === 0n ? 0n : (shares * v.stake) / v.shares;
}

/** Tokens the operator itself has bonded. */
export function selfStake(tree: StateTree, address: Uint8Array, v: Validator): bigint {
  return tokensFor(v, getShares(tree, address, v.operator));
}

/** Epoch of a height: epoch e covers heights e·L+1 … (e+1)·L. */
export function epochOf(height: bigint, params: Params): bigint {
  return height === 0n ? 0n : (height - 1n) / params.epochLength;
}

export function readUnbonding(tree: StateTree, delegator: Uint8Array): UnbondingEntry[] {
  const raw = tree.get(unbondingKey(delegator));
  return raw ? decode(UnbondingQueueCodec, raw) : [];
}

export function writeUnbonding(tree: StateTree, delegator: Uint8Array, entries: UnbondingEntry[]): StateTree {
  if (entries.length === 0)
    return removeFromIndex(tree.delete(unbondingKey(delegator)), UNBONDING_INDEX_KEY, delegator);
  return addToIndex(
    tree.set(unbondingKey(delegator), encode(UnbondingQueueCodec, entries)),
    UNBONDING_INDEX_KEY,
    delegator,
  );
}

export function addUnbonding(
  tree: StateTree,
  delegator: Uint8Array,
  entry: UnbondingEntry,
  params: Params,
): StateTree {
  const entries = readUnbonding(tree, delegator);
  if (entries.length >= params.maxUnbondingEntries) {
    throw new TxError(
      { code: "TX_TOO_MANY_UNBONDING", max: params.maxUnbondingEntries },
      `already ${entries.length} unbonding entries (max ${params.maxUnbondingEntries}); wait for one to complete`,
    );
  }
  return writeUnbonding(tree, delegator, [...entries, entry]);
}
