import {
  bytesEqual,
  concatBytes,
  decode,
  encode,
  enumOf,
  option,
  string,
  struct,
  toHex,
  u32,
  u64,
  type ValueOf,
  vector,
} from "../codec/index.js";
import { addressBytes, decodeAddress } from "../crypto/index.js";
import { type Genesis, hashGenesis, isoToMs } from "./genesis.js";
import { type Params, ParamsCodec } from "./params.js";
import {
  ChallengeRecordCodec,
  EscrowCodec,
  MINTED_KEY,
  ORACLE_KEY,
  REWARD_POOL_KEY,
  readU64,
  TOKEN_PREFIXES,
  ValidatorRewardsCodec,
} from "./product-state.js";
import { OracleCommitteeCodec } from "./product-tx.js";
import { putHistorySet, writeSetHistory } from "./slashing-state.js";
import { StateTree } from "./state-tree.js";
import { createValidatorSet, type ValidatorSet } from "./validator-set.js";
import { Address20, PublicKey32 } from "./vote.js";

/**
 * Chain state (DESIGN.md §3). Everything consensus-relevant lives in one Merkle `StateTree` (so the state
 * root commits to it); `height`, `lastBlockHash`, `lastBlockTime` and the proposer priorities are derived
 * from the block history and carried beside it.
 *
 * Keys: 0x00 ‖ "params" → Params; 0x00 ‖ "workWeightAuthority" → address; 0x01 ‖ address → Account;
 * 0x02 ‖ consensus address → Validator; 0x03 ‖ validator ‖ delegator → Delegation; 0x04 ‖ delegator → unbonding queue.
 * Slashing keys (0x05–0x07, and 0x00 ‖ "setHistory" / "evidence" / "burned"): see slashing-state.ts.
 */
export const AccountCodec = struct({ balance: u64, nonce: u64 });
export type Account = ValueOf<typeof AccountCodec>;

/**
 * Validator status. `active` = in the consensus set of the current epoch; `inactive` = bonded but not in it
 * (new, below the cut, or below minSelfStake); `jailed` = out of the set for downtime or double-signing
 * (slashing-state.ts holds until when, and whether for ever) until an `unjail` makes it `inactive` again.
 */
export const ValidatorStatusCodec = enumOf(["active", "inactive", "jailed"] as const);
export const ValidatorCodec = struct({
  name: string(64),
  operator: Address20,
  consensusKey: PublicKey32,
  /** Total bonded tokens (self + delegated): the voting power once in the set. */
  stake: u64,
  /** Delegation shares outstanding; a delegator owns stake × itsShares / shares (slashing stays proportional). */
  shares: u64,
  workWeight: u32,
  /** workWeight to apply at the next epoch boundary (set by the workWeight authority). */
  pendingWorkWeight: option(u32),
  /** Commission in basis points (used by rewards later). */
  commission: u32,
  status: ValidatorStatusCodec,
});
export type Validator = ValueOf<typeof ValidatorCodec>;

/** A delegator's shares in one validator (the operator's self-bond is a delegation too). */
export const DelegationCodec = struct({ shares: u64 });

/**
 * Tokens on their way back to an account, released at `releaseEpoch`. `creationHeight` is the height of the
 * block that started it: evidence of an infraction at or before that height slashes the entry too.
 */
export const UnbondingEntryCodec = struct({
  validator: Address20,
  amount: u64,
  releaseEpoch: u64,
  creationHeight: u64,
});
export const UnbondingQueueCodec = vector(UnbondingEntryCodec, 1000);
export type UnbondingEntry = ValueOf<typeof UnbondingEntryCodec>;

export interface State {
  readonly chainId: string;
  readonly genesisHash: Uint8Array;
  readonly params: Params;
  /** Height of the last applied block (0 = genesis). */
  readonly height: bigint;
  /** Hash of the last block (the genesis hash at height 0): the next block's parentHash. */
  readonly lastBlockHash: Uint8Array;
  /** Time (ms) of the last block (genesis time at height 0). */
  readonly lastBlockTime: bigint;
  readonly tree: StateTree;
  /** Active validators with proposer priorities for the next height. */
  readonly validatorSet: ValidatorSet;
  /** The set that signed the block at `height` (its commit is verified against it). */
  readonly lastValidatorSet: ValidatorSet;
}

const PARAMS_KEY = concatBytes(new Uint8Array([0]), new TextEncoder().encode("params"));
export const accountKey = (address: Uint8Array): Uint8Array => concatBytes(new Uint8Array([1]), address);
export const validatorKey = (address: Uint8Array): Uint8Array => concatBytes(new Uint8Array([2]), address);
export const delegationKey = (validator: Uint8Array, delegator: Uint8Array): Uint8Array =>
  concatBytes(new Uint8Array([3]), validator, delegator);
export const unbondingKey = (delegator: Uint8Array): Uint8Array =>
  concatBytes(new Uint8Array([4]), delegator);
/** Sorted address lists that index validators and delegators with unbonding entries. */
export const AddressListCodec = vector(Address20, 1_000_000);
export const VALIDATOR_INDEX_KEY = concatBytes(new Uint8Array([0]), new TextEncoder().encode("validators"));
export const UNBONDING_INDEX_KEY = concatBytes(new Uint8Array([0]), new TextEncoder().encode("unbonders"));
export const AUTHORITY_KEY = concatBytes(
  new Uint8Array([0]),
  new TextEncoder().encode("workWeightAuthority"),
);

const EMPTY_ACCOUNT: Account = { balance: 0n, nonce: 0n };

/** An account (a zero account if it never received anything). */
export function getAccount(state: State | StateTree, address: Uint8Array): Account {
  const tree = state instanceof StateTree ? state : state.tree;
  const raw = tree.get(accountKey(address));
  return raw ? decode(AccountCodec, raw) : EMPTY_ACCOUNT;
}

export function getValidator(state: State, consensusAddress: Uint8Array): Validator | undefined {
  const raw = state.tree.get(validatorKey(consensusAddress));
  return raw ? decode(ValidatorCodec, raw) : undefined;
}

/** The state root: the Merkle root of the state tree. */
export function stateRoot(state: State): Uint8Array {
  return state.tree.root();
}

/** Validators from the tree → the active set (status active, power = stake). */
export function validatorSetFromTree(tree: StateTree): ValidatorSet {
  const raw = tree.get(VALIDATOR_INDEX_KEY);
  const infos = [];
  for (const address of raw ? decode(AddressListCodec, raw) : []) {
    const v = decode(ValidatorCodec, tree.get(validatorKey(address)) as Uint8Array);
    if (v.status !== "active") continue;
    infos.push({ address, publicKey: v.consensusKey, power: v.stake, workWeight: BigInt(v.workWeight) });
  }
  return createValidatorSet(infos);
}

/** The initial state (height 0) of a genesis. */
export function stateFromGenesis(g: Genesis): State {
  let tree = StateTree.empty().set(PARAMS_KEY, encode(ParamsCodec, g.params));
  for (const a of g.accounts) {
    tree = tree.set(
      accountKey(decodeAddress(a.address)),
      encode(AccountCodec, { balance: a.balance, nonce: 0n }),
    );
  }
  for (const v of g.validators) {
    const validator: Validator = {
      name: v.name,
      operator: decodeAddress(v.operator),
      consensusKey: v.consensusKey,
      stake: v.stake,
      shares: v.stake,
      workWeight: v.workWeight,
      pendingWorkWeight: null,
      commission: 0,
      status: "active",
    };
    const address = addressBytes(v.consensusKey);
    tree = tree.set(validatorKey(address), encode(ValidatorCodec, validator));
    tree = tree.set(delegationKey(address, validator.operator), encode(DelegationCodec, { shares: v.stake }));
  }
  const index = g.validators
    .map((v) => addressBytes(v.consensusKey))
    .sort((a, b) => (toHex(a) < toHex(b) ? -1 : 1));
  tree = tree.set(VALIDATOR_INDEX_KEY, encode(AddressListCodec, index));
  if (g.workWeightAuthority) tree = tree.set(AUTHORITY_KEY, decodeAddress(g.workWeightAuthority));
  if (g.oracle) tree = tree.set(ORACLE_KEY, encode(OracleCommitteeCodec, { version: 0n, ...g.oracle }));
  // The genesis set is the first entry of the set history (evidence about heights 1… is checked against it).
  const set = validatorSetFromTree(tree);
  tree = writeSetHistory(putHistorySet(tree, 1n, set), [1n]);
  return {
    chainId: g.chainId,
    genesisHash: hashGenesis(g),
    params: g.params,
    height: 0n,
    lastBlockHash: hashGenesis(g),
    lastBlockTime: isoToMs(g.genesisTime),
    tree,
    validatorSet: set,
    lastValidatorSet: set,
  };
}

/**
 * Total supply: all balances, validator stake and unbonding tokens, plus the product layer's holdings
 * (reward pool, vesting and accrued rewards, delegator reward pots, challenge bonds, escrow balances; see
 * product-state.ts). Every transition keeps `totalSupply + burnedSupply = genesis supply + mintedSupply`
 * (slashing moves tokens to burned; epoch rewards mint `rewardPerEpoch`). PERF: O(state): tests and audits.
 */
export function totalSupply(state: State): bigint {
  let sum = 0n;
  for (const [key, value] of state.tree.entries()) {
    if (key[0] === 1) sum += decode(AccountCodec, value).balance;
    else if (key[0] === 2) sum += decode(ValidatorCodec, value).stake;
    else if (key[0] === 4) for (const e of decode(UnbondingQueueCodec, value)) sum += e.amount;
    else if (key[0] === TOKEN_PREFIXES.validatorRewards) sum += decode(ValidatorRewardsCodec, value).pot;
    else if (key[0] === TOKEN_PREFIXES.accrued || key[0] === TOKEN_PREFIXES.vesting)
      sum += decode(u64, value);
    else if (key[0] === TOKEN_PREFIXES.challenge) sum += decode(ChallengeRecordCodec, value).bond;
    else if (key[0] === TOKEN_PREFIXES.escrow) sum += decode(EscrowCodec, value).balance;
    else if (bytesEqual(key, REWARD_POOL_KEY)) sum += decode(u64, value);
  }
  return sum;
}

/** Tokens minted as epoch rewards since genesis. */
export function mintedSupply(state: State): bigint {
  return readU64(state.tree, MINTED_KEY);
}
