import { toHex } from "../../codec/index.js";
import type { Params } from "../params.js";
import {
  BPS,
  MISSED_CHUNK_BITS,
  missedChunkKey,
  readSlashingInfo,
  writeSlashingInfo,
} from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import { indexOfValidator, sameMembers, type ValidatorSet } from "../validator-set.js";
import type { Commit } from "../vote.js";
import { jailValidator } from "./jail.js";
import type { Penalty } from "./penalty.js";
import { slashValidator } from "./slash.js";
import { findValidator } from "./staking-store.js";

/**
 * Downtime (issue 15). Block H's `lastCommit` proves which validators of the set at H−1 signed block H−1;
 * each validator's last `signedBlocksWindow` heights are a ring of bits (bit (H−1) mod window = missed),
 * stored in 1024-bit chunks and rewritten only when a bit flips, with the count of set bits in its
 * SlashingInfo. A validator that signs every block costs one read per block and no write.
 * Missing more than `window − window × minSignedPerWindow / 10000` of the window jails it for
 * `downtimeJailDuration` blocks and burns `slashFractionDowntime` of its stake; its window starts afresh.
 * Heights a validator was not in the set count as signed: its ring is cleared when it leaves the set, so a
 * returning validator is never charged for blocks it was not asked to sign.
 */
export function applyDowntime(
  tree: StateTree,
  ctx: { params: Params; height: bigint },
  commit: Commit | null,
  signers: ValidatorSet,
  current: ValidatorSet,
): { tree: StateTree; penalties: Penalty[] } {
  const penalties: Penalty[] = [];
  if (commit) {
    const signed = new Set(commit.signatures.map((s) => toHex(s.validator)));
    for (const v of signers.validators) {
      const r = recordSigned(tree, ctx, v.address, commit.height, !signed.has(toHex(v.address)));
      tree = r.tree;
      if (r.penalty) penalties.push(r.penalty);
    }
  }
  if (!sameMembers(signers, current)) {
    for (const v of signers.validators)
      if (indexOfValidator(current, v.address) < 0) tree = resetWindow(tree, v.address, ctx.params);
  }
  return { tree, penalties };
}

/** Most missed blocks tolerated in a window. */
export function maxMissedBlocks(params: Params): bigint {
  const w = BigInt(params.signedBlocksWindow);
  return w - (w * BigInt(params.minSignedPerWindow)) / BPS;
}

const CHUNK_BYTES = MISSED_CHUNK_BITS / 8;

function recordSigned(
  tree: StateTree,
  ctx: { params: Params; height: bigint },
  validator: Uint8Array,
  height: bigint,
  missed: boolean,
): { tree: StateTree; penalty?: Penalty } {
  const info = readSlashingInfo(tree, validator);
  if (!missed && info.missed === 0) return { tree };
  const slot = Number(height % BigInt(ctx.params.signedBlocksWindow));
  const key = missedChunkKey(validator, Math.floor(slot / MISSED_CHUNK_BITS));
  const chunk = Uint8Array.from(tree.get(key) ?? new Uint8Array(CHUNK_BYTES));
  const bit = slot % MISSED_CHUNK_BITS;
  const mask = 0x80 >> (bit & 7);
  const was = ((chunk[bit >> 3] as number) & mask) !== 0;
  if (was === missed) return { tree };
  chunk[bit >> 3] = (chunk[bit >> 3] as number) ^ mask;
  tree = chunk.every((b) => b === 0) ? tree.delete(key) : tree.set(key, chunk);
  const count = info.missed + (missed ? 1 : -1);
  tree = writeSlashingInfo(tree, validator, { ...info, missed: count });
  if (!missed || BigInt(count) <= maxMissedBlocks(ctx.params)) return { tree };
  if (findValidator(tree, validator)?.status === "jailed") return { tree };
  const slashed = slashValidator(tree, validator, ctx.params.slashFractionDowntime, height);
  const until = ctx.height + ctx.params.downtimeJailDuration;
  tree = resetWindow(slashed.tree, validator, ctx.params);
  // Not jailed, so not tombstoned (a tombstone jails for ever): this jail is the validator's only one.
  tree = jailValidator(tree, validator, { until, reason: "downtime", tombstone: false });
  return {
    tree,
    penalty: {
      validator,
      reason: "downtime",
      infractionHeight: height,
      burned: slashed.burned,
      jailedUntil: until,
      tombstoned: false,
    },
  };
}

/** Clears a validator's missed-blocks window (when it leaves the set or is jailed for downtime). */
export function resetWindow(tree: StateTree, validator: Uint8Array, params: Params): StateTree {
  const info = readSlashingInfo(tree, validator);
  if (info.missed === 0) return tree;
  const chunks = Math.ceil(params.signedBlocksWindow / MISSED_CHUNK_BITS);
  for (let c = 0; c < chunks; c++) tree = tree.delete(missedChunkKey(validator, c));
  return writeSlashingInfo(tree, validator, { ...info, missed: 0 });
}
