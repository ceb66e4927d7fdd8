import type { ValueOf } from "../../codec/index.js";
import { encodeAddress } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { readSlashingInfo, writeSlashingInfo } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import type { ValidatorRefCodec } from "../tx.js";
import { putValidator, requireOperator, requireValidator, selfStake } from "./staking-store.js";

/**
 * `unjail` (issue 15): the operator of a validator jailed for downtime brings it back once the jail period
 * is over. It becomes `inactive` and rejoins the active set at the next epoch boundary if it ranks there
 * (validator-set changes other than jailing happen only at boundaries, DESIGN.md §3). Refused while the
 * self-stake is below minSelfStake, since the boundary would not pick it anyway.
 * @throws TxError TX_UNKNOWN_VALIDATOR | TX_NOT_OPERATOR | TX_NOT_JAILED | TX_TOMBSTONED (double-signed:
 *   never) | TX_JAILED_UNTIL (too early; `until` is the first height it is accepted) | TX_BELOW_MIN_STAKE
 */
export function applyUnjail(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof ValidatorRefCodec>,
  ctx: { params: Params; height: bigint },
): StateTree {
  const v = requireValidator(tree, p.validator);
  requireOperator(v, p.validator, sender);
  const validator = encodeAddress(p.validator);
  if (v.status !== "jailed")
    throw new TxError({ code: "TX_NOT_JAILED", validator }, `validator ${validator} is not jailed`);
  const info = readSlashingInfo(tree, p.validator);
  if (info.tombstoned) {
    throw new TxError(
      { code: "TX_TOMBSTONED", validator },
      `validator ${validator} double-signed and is tombstoned: it can never be unjailed`,
    );
  }
  if (ctx.height < info.jailedUntil) {
    throw new TxError(
      { code: "TX_JAILED_UNTIL", validator, until: info.jailedUntil },
      `validator ${validator} is jailed until height ${info.jailedUntil} (this block is ${ctx.height})`,
    );
  }
  const self = selfStake(tree, p.validator, v);
  if (self < ctx.params.minSelfStake) {
    throw new TxError(
      { code: "TX_BELOW_MIN_STAKE", min: ctx.params.minSelfStake, got: self },
      `self-stake ${self} is below minSelfStake ${ctx.params.minSelfStake}: bond more before unjailing`,
    );
  }
  tree = writeSlashingInfo(tree, p.validator, { ...info, jailReason: null });
  return putValidator(tree, p.validator, { ...v, status: "inactive" });
}
