import { toHex } from "../../codec/index.js";
import type { Params } from "../params.js";
import { UNBONDING_INDEX_KEY, VALIDATOR_INDEX_KEY } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { createValidatorSet, type ValidatorInfo, type ValidatorSet } from "../validator-set.js";
import {
  credit,
  findValidator,
  putValidator,
  readIndex,
  readUnbonding,
  selfStake,
  writeUnbonding,
} from "./staking-store.js";

/**
 * Epoch boundaries (DESIGN.md §3): validator-set and workWeight changes take effect only here, so the set is
 * fixed for `epochLength` blocks and announced one block ahead through the header's nextValidatorsHash.
 * The block at height h ends an epoch when h is a multiple of epochLength.
 */
export function endsEpoch(height: bigint, params: Params): boolean {
  return height > 0n && height % params.epochLength === 0n;
}

/**
 * Runs the boundary after the last block of an epoch: applies pending workWeights, releases matured
 * unbondings, and picks the next set — the top `maxValidators` by stake whose operator keeps at least
 * minSelfStake (ties: lower address). Proposer priorities carry over for staying validators; newcomers start
 * at −1.125 × the total weight, as in CometBFT, so they do not propose first.
 */
export function processEpochBoundary(
  tree: StateTree,
  height: bigint,
  params: Params,
  prev: ValidatorSet,
): { tree: StateTree; set: ValidatorSet } {
  const newEpoch = height / params.epochLength;
  // Matured unbondings go back to their accounts.
  for (const delegator of readIndex(tree, UNBONDING_INDEX_KEY)) {
    const entries = readUnbonding(tree, delegator);
    const due = entries.filter((e) => e.releaseEpoch <= newEpoch);
    if (!due.length) continue;
    for (const e of due) tree = credit(tree, delegator, e.amount);
    tree = writeUnbonding(
      tree,
      delegator,
      entries.filter((e) => e.releaseEpoch > newEpoch),
    );
  }
  // Pending workWeights, then candidates.
  const candidates: { address: Uint8Array; info: ValidatorInfo }[] = [];
  for (const address of readIndex(tree, VALIDATOR_INDEX_KEY)) {
    let v = findValidator(tree, address);
    if (!v) continue;
    if (v.pendingWorkWeight !== null) {
      v = { ...v, workWeight: v.pendingWorkWeight, pendingWorkWeight: null };
      tree = putValidator(tree, address, v);
    }
    if (v.status !== "jailed" && v.stake > 0n && selfStake(tree, address, v) >= params.minSelfStake) {
      candidates.push({
        address,
        info: { address, publicKey: v.consensusKey, power: v.stake, workWeight: BigInt(v.workWeight) },
      });
    }
  }
  candidates.sort((a, b) =>
    a.info.power === b.info.power
      ? toHex(a.address) < toHex(b.address)
        ? -1
        : 1
      : a.info.power > b.info.power
        ? -1
        : 1,
  );
  const chosen = new Set(candidates.slice(0, params.maxValidators).map((c) => toHex(c.address)));
  for (const address of readIndex(tree, VALIDATOR_INDEX_KEY)) {
    const v = findValidator(tree, address);
    if (!v || v.status === "jailed") continue;
    const status = chosen.has(toHex(address)) ? "active" : "inactive";
    if (v.status !== status) tree = putValidator(tree, address, { ...v, status });
  }
  const next = createValidatorSet(candidates.filter((c) => chosen.has(toHex(c.address))).map((c) => c.info));
  return { tree, set: carryPriorities(prev, next) };
}

function carryPriorities(prev: ValidatorSet, next: ValidatorSet): ValidatorSet {
  const old = new Map(prev.validators.map((v, i) => [toHex(v.address), prev.priorities[i] as bigint]));
  const weights = next.validators.map((v) => v.power * v.workWeight);
  const total = weights.reduce((s, w) => s + w, 0n) || next.totalPower;
  const start = -((total * 9n) / 8n);
  return { ...next, priorities: next.validators.map((v) => old.get(toHex(v.address)) ?? start) };
}
