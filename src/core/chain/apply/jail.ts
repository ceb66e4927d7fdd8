import { U64_MAX } from "../../codec/index.js";
import { type JailReason, readSlashingInfo, writeSlashingInfo } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import { findValidator, putValidator } from "./staking-store.js";

/**
 * Jails a validator (issue 15): status `jailed`, so the epoch boundary never picks it, and the caller
 * removes it from the active set from the next height on (apply/end-block.ts). `unjail` is accepted from
 * `until` on; a tombstoned validator (double-sign) is jailed for ever and `until` is 2^64−1.
 * Jailing again never shortens a jail nor lifts a tombstone.
 */
export function jailValidator(
  tree: StateTree,
  validator: Uint8Array,
  o: { until: bigint; reason: JailReason; tombstone: boolean },
): StateTree {
  const v = findValidator(tree, validator);
  if (!v) return tree;
  if (v.status !== "jailed") tree = putValidator(tree, validator, { ...v, status: "jailed" });
  const info = readSlashingInfo(tree, validator);
  const tombstoned = info.tombstoned || o.tombstone;
  let until = o.until;
  if (info.jailedUntil > until) until = info.jailedUntil;
  if (tombstoned) until = U64_MAX;
  return writeSlashingInfo(tree, validator, {
    ...info,
    jailedUntil: until,
    tombstoned,
    jailReason: tombstoned ? "double-sign" : o.reason,
  });
}
