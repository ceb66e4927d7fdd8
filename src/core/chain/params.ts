import { struct, u32, u64, type ValueOf } from "../codec/index.js";

/**
 * Chain parameters (DESIGN.md §3), part of genesis and of the state (so the state root commits to them).
 * All integers: amounts are u64 bigints, durations u32 milliseconds, fractions basis points (u32, 10000 =
 * 100%: no floats anywhere in consensus), block counts u32/u64.
 */
export const TimeoutsCodec = struct({
  proposeBase: u32,
  proposeDelta: u32,
  prevoteBase: u32,
  prevoteDelta: u32,
  precommitBase: u32,
  precommitDelta: u32,
  /** Wait after a commit before starting the next height, to collect late precommits. */
  commitWait: u32,
});
export type Timeouts = ValueOf<typeof TimeoutsCodec>;

export const ParamsCodec = struct({
  /** Blocks per epoch; validator-set and workWeight changes apply at epoch boundaries. */
  epochLength: u64,
  /** Epochs an unbonding stays locked before the funds return. */
  unbondingEpochs: u64,
  minSelfStake: u64,
  maxValidators: u32,
  maxUnbondingEntries: u32,
  maxBlockTxs: u32,
  maxBlockBytes: u32,
  maxTxBytes: u32,
  minFee: u64,
  /** How far ahead of a validator's clock a block time may be. */
  maxTimeDriftMs: u32,
  /**
   * Evidence of an infraction at height h may be carried by blocks h+1 … h+evidenceMaxAgeBlocks. Genesis
   * validation keeps it ≤ unbondingEpochs × epochLength, so stake cannot leave before its evidence expires.
   */
  evidenceMaxAgeBlocks: u64,
  /** Most evidence items one block may carry, and their total encoded bytes. */
  maxBlockEvidence: u32,
  maxBlockEvidenceBytes: u32,
  /** Share of a double-signer's stake burned, in basis points (its delegators lose the same share). */
  slashFractionDoubleSign: u32,
  /** Blocks in the sliding window over which each validator's signatures in `lastCommit` are counted. */
  signedBlocksWindow: u32,
  /** Share of the window a validator must sign (basis points); below it, it is jailed for downtime. */
  minSignedPerWindow: u32,
  /** Blocks a downtime-jailed validator must wait before `unjail` is accepted. */
  downtimeJailDuration: u64,
  /** Share of stake burned for downtime, in basis points. */
  slashFractionDowntime: u32,
  timeouts: TimeoutsCodec,
  /** Product layer (docs/product-layer.md): tokens minted into the reward pool at each epoch boundary. */
  rewardPerEpoch: u64,
  /** Most an attested score may move a workWeight in one epoch, in bps of max(workWeight, 1.0). */
  maxWorkWeightChangeBps: u32,
  /** Epochs after a work report's epoch during which it may be challenged (and its rewards vest). */
  challengeWindowEpochs: u64,
  /** Tokens a challenger bonds; returned (plus a share of the slash) if the committee finds fraud. */
  challengeBond: u64,
  /** Share of a fraudulent reporter's stake slashed, in basis points. */
  slashFractionFraud: u32,
  /** Share of the fraud slash paid to the challenger instead of burned, in basis points. */
  challengerRewardBps: u32,
  /** Share of each settled invoice paid into the reward pool, in basis points. */
  protocolFeeBps: u32,
  /** Epochs between `billing-close` and the refund of an escrow's unused deposit. */
  billingNoticeEpochs: u64,
});
export type Params = ValueOf<typeof ParamsCodec>;

export const PRESET_NAMES = ["dev", "test", "mainnet-like"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const base = {
  unbondingEpochs: 2n,
  minSelfStake: 1_000n,
  maxValidators: 100,
  maxUnbondingEntries: 7,
  maxBlockTxs: 10_000,
  maxBlockBytes: 4 << 20,
  maxTxBytes: 4096,
  minFee: 0n,
  maxTimeDriftMs: 5_000,
  maxBlockEvidence: 16,
  maxBlockEvidenceBytes: 16_384,
  slashFractionDoubleSign: 500,
  signedBlocksWindow: 100,
  minSignedPerWindow: 500,
  downtimeJailDuration: 20n,
  slashFractionDowntime: 100,
  // Product layer. No inflation by default (devnets opt in: see devnet/genesis-inputs.ts).
  rewardPerEpoch: 0n,
  maxWorkWeightChangeBps: 2_000,
  challengeWindowEpochs: 2n,
  challengeBond: 1_000n,
  slashFractionFraud: 1_000,
  challengerRewardBps: 1_000,
  protocolFeeBps: 100,
  billingNoticeEpochs: 2n,
};

/**
 * Parameter presets. `dev`: ~100–200 ms blocks on loopback, 10-block epochs so devnets exercise staking
 * in seconds. `test`: relaxed timeouts for slow CI machines. `mainnet-like`: 1 s blocks.
 * Slashing: double-sign burns 5% everywhere. Downtime means signing under 5% of the window (as on the Cosmos
 * Hub): only a validator that is really down is jailed, never one whose precommits are merely late under load
 * (a late precommit misses the proposer's lastCommit). dev/test: a 100-block window, so a stopped validator
 * is jailed after 96 missed blocks (~15–30 s on a devnet), burns 1% and may unjail after 20 blocks;
 * mainnet-like: a 10000-block window, 0.01%, 600 blocks (~10 min).
 */
export const PRESETS: Record<PresetName, Params> = {
  dev: {
    ...base,
    epochLength: 10n,
    evidenceMaxAgeBlocks: 20n,
    timeouts: {
      proposeBase: 400,
      proposeDelta: 200,
      prevoteBase: 200,
      prevoteDelta: 100,
      precommitBase: 200,
      precommitDelta: 100,
      commitWait: 50,
    },
  },
  test: {
    ...base,
    epochLength: 20n,
    evidenceMaxAgeBlocks: 40n,
    timeouts: {
      proposeBase: 1_000,
      proposeDelta: 500,
      prevoteBase: 500,
      prevoteDelta: 250,
      precommitBase: 500,
      precommitDelta: 250,
      commitWait: 100,
    },
  },
  "mainnet-like": {
    ...base,
    epochLength: 1_000n,
    unbondingEpochs: 21n,
    minSelfStake: 1_000_000n,
    minFee: 1n,
    evidenceMaxAgeBlocks: 10_000n,
    signedBlocksWindow: 10_000,
    downtimeJailDuration: 600n,
    slashFractionDowntime: 1,
    timeouts: {
      proposeBase: 3_000,
      proposeDelta: 500,
      prevoteBase: 1_000,
      prevoteDelta: 500,
      precommitBase: 1_000,
      precommitDelta: 500,
      commitWait: 1_000,
    },
  },
};
