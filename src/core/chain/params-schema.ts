import * as z from "zod";
import { U64_MAX } from "../codec/index.js";
import { MAX_BLOCK_EVIDENCE_WIRE } from "./block.js";
import type { Params } from "./params.js";
import { MAX_SIGNED_BLOCKS_WINDOW } from "./slashing-state.js";
import { MAX_EVIDENCE_BYTES } from "./vote.js";

/**
 * The JSON form of chain params in genesis (DESIGN.md §3): schema with each field's bounds, the rules
 * between fields, and the byte-stable JSON writer. Issues name the JSON path (`params.minFee: …`).
 */

/** A u64 as a decimal string (JSON numbers cannot hold 2^64). */
/**
 * PERF (issue 22 item 4): parse options for documents read once per process (node config, genesis, devnet
 * manifest). zod compiles a fast parser for an object schema on its first parse, which pays off only when
 * one schema parses many inputs; for a single input the plain path is quicker (≈ 5 ms less for a genesis at
 * every node start). Results are the same either way.
 */
export const ONE_SHOT = { jitless: true } as const;

export const decimal = (max = U64_MAX) =>
  z
    .string()
    .regex(/^(0|[1-9]\d*)$/, "must be a decimal integer string")
    .transform((s) => BigInt(s))
    .refine((v) => v <= max, `must be ≤ ${max}`);

/** A fraction in basis points: 0 … 10000 (= 100%). */
const basisPoints = z.int().min(0).max(10_000, "is in basis points: at most 10000 (100%)");
/** Keeps minting for 2^20 epochs far below 2^64 (overflow would halt the chain, so genesis refuses it). */
const MAX_REWARD_PER_EPOCH = 1n << 40n;
/** Keeps `height + downtimeJailDuration` far from 2^64 for any reachable height. */
const MAX_JAIL_DURATION = 1n << 48n;

const timeoutsSchema = z
  .object({
    proposeBase: z.int().min(1).max(600_000),
    proposeDelta: z.int().min(0).max(600_000),
    prevoteBase: z.int().min(1).max(600_000),
    prevoteDelta: z.int().min(0).max(600_000),
    precommitBase: z.int().min(1).max(600_000),
    precommitDelta: z.int().min(0).max(600_000),
    commitWait: z.int().min(0).max(600_000),
  })
  .strict();

/** `params` of genesis JSON, each field within its bounds (unknown keys are errors). */
export const paramsSchema = z
  .object({
    epochLength: decimal().refine((v) => v > 0n, "must be > 0"),
    unbondingEpochs: decimal(),
    minSelfStake: decimal(),
    maxValidators: z.int().min(1).max(1000),
    maxUnbondingEntries: z.int().min(1).max(1000),
    maxBlockTxs: z.int().min(1).max(1_000_000),
    maxBlockBytes: z
      .int()
      .min(1024)
      .max(64 << 20),
    maxTxBytes: z
      .int()
      .min(128)
      .max(1 << 20),
    minFee: decimal(),
    maxTimeDriftMs: z.int().min(0).max(3_600_000),
    evidenceMaxAgeBlocks: decimal().refine((v) => v > 0n, "must be > 0"),
    maxBlockEvidence: z.int().min(1).max(MAX_BLOCK_EVIDENCE_WIRE),
    maxBlockEvidenceBytes: z
      .int()
      .min(MAX_EVIDENCE_BYTES, `must fit one evidence item (${MAX_EVIDENCE_BYTES} bytes)`)
      .max(1 << 20),
    slashFractionDoubleSign: basisPoints,
    signedBlocksWindow: z.int().min(1).max(MAX_SIGNED_BLOCKS_WINDOW),
    minSignedPerWindow: basisPoints,
    downtimeJailDuration: decimal(MAX_JAIL_DURATION),
    slashFractionDowntime: basisPoints,
    timeouts: timeoutsSchema,
    // Product layer (docs/product-layer.md); defaults keep older genesis files valid.
    rewardPerEpoch: decimal(MAX_REWARD_PER_EPOCH).default(0n),
    maxWorkWeightChangeBps: basisPoints.default(2_000),
    challengeWindowEpochs: decimal(1000n).default(2n),
    challengeBond: decimal().default(1_000n),
    slashFractionFraud: basisPoints.default(1_000),
    challengerRewardBps: basisPoints.default(1_000),
    protocolFeeBps: basisPoints.default(100),
    billingNoticeEpochs: decimal(1_000_000n).default(2n),
  })
  .strict();

/** Rules between params (each field's own bounds are in the schema). Issues name the JSON path. */
export function crossCheckParams(p: Params): string[] {
  const issues: string[] = [];
  const unbondingBlocks = p.unbondingEpochs * p.epochLength;
  if (p.evidenceMaxAgeBlocks > unbondingBlocks) {
    issues.push(
      `params.evidenceMaxAgeBlocks: must be ≤ unbondingEpochs × epochLength (${unbondingBlocks}), or stake ` +
        "could finish unbonding before the evidence against it expires",
    );
  }
  if (p.maxBlockEvidenceBytes > p.maxBlockBytes)
    issues.push(`params.maxBlockEvidenceBytes: must be ≤ params.maxBlockBytes (${p.maxBlockBytes})`);
  return issues;
}

/** Params in genesis JSON, fixed key order (amounts and u64 counts as decimal strings). */
export function paramsToJson(p: Params) {
  const t = p.timeouts;
  return {
    epochLength: String(p.epochLength),
    unbondingEpochs: String(p.unbondingEpochs),
    minSelfStake: String(p.minSelfStake),
    maxValidators: p.maxValidators,
    maxUnbondingEntries: p.maxUnbondingEntries,
    maxBlockTxs: p.maxBlockTxs,
    maxBlockBytes: p.maxBlockBytes,
    maxTxBytes: p.maxTxBytes,
    minFee: String(p.minFee),
    maxTimeDriftMs: p.maxTimeDriftMs,
    evidenceMaxAgeBlocks: String(p.evidenceMaxAgeBlocks),
    maxBlockEvidence: p.maxBlockEvidence,
    maxBlockEvidenceBytes: p.maxBlockEvidenceBytes,
    slashFractionDoubleSign: p.slashFractionDoubleSign,
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: p.minSignedPerWindow,
    downtimeJailDuration: String(p.downtimeJailDuration),
    slashFractionDowntime: p.slashFractionDowntime,
    timeouts: {
      proposeBase: t.proposeBase,
      proposeDelta: t.proposeDelta,
      prevoteBase: t.prevoteBase,
      prevoteDelta: t.prevoteDelta,
      precommitBase: t.precommitBase,
      precommitDelta: t.precommitDelta,
      commitWait: t.commitWait,
    },
    rewardPerEpoch: String(p.rewardPerEpoch),
    maxWorkWeightChangeBps: p.maxWorkWeightChangeBps,
    challengeWindowEpochs: String(p.challengeWindowEpochs),
    challengeBond: String(p.challengeBond),
    slashFractionFraud: p.slashFractionFraud,
    challengerRewardBps: p.challengerRewardBps,
    protocolFeeBps: p.protocolFeeBps,
    billingNoticeEpochs: String(p.billingNoticeEpochs),
  };
}
