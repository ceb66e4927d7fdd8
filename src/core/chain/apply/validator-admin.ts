import type { ValueOf } from "../../codec/index.js";
import { encodeAddress } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import { AUTHORITY_KEY } from "../state.js";
import type { StateTree } from "../state-tree.js";
import type { EditValidatorCodec, SetWorkWeightCodec } from "../tx.js";
import { putValidator, requireOperator, requireValidator } from "./staking-store.js";

/** `edit-validator`: the operator changes its name and commission (basis points, ≤ 10000). */
export function applyEditValidator(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof EditValidatorCodec>,
): StateTree {
  const v = requireValidator(tree, p.validator);
  requireOperator(v, p.validator, sender);
  if (p.commission > 10_000)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "commission" },
      "commission is in basis points (0–10000)",
    );
  if (!p.name.trim())
    throw new TxError({ code: "TX_BAD_ARGUMENT", reason: "empty name" }, "name must not be empty");
  return putValidator(tree, p.validator, { ...v, name: p.name, commission: p.commission });
}

/**
 * `set-work-weight`: the genesis workWeight authority sets a validator's workWeight (fixed point,
 * 10000 = 1.0), applied at the next epoch boundary. The product's oracle replaces this authority later.
 */
export function applySetWorkWeight(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof SetWorkWeightCodec>,
): StateTree {
  const authority = tree.get(AUTHORITY_KEY);
  if (!authority || encodeAddress(authority) !== encodeAddress(sender)) {
    throw new TxError(
      { code: "TX_NOT_AUTHORIZED", reason: "not the workWeight authority" },
      "only the workWeight authority may set workWeights",
    );
  }
  if (p.workWeight > 1_000_000)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "workWeight" },
      "workWeight must be ≤ 1000000 (100.0)",
    );
  const v = requireValidator(tree, p.validator);
  return putValidator(tree, p.validator, { ...v, pendingWorkWeight: p.workWeight });
}
