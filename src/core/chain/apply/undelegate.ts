import type { ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import type { StateTree } from "../state-tree.js";
import type { StakeMoveCodec } from "../tx.js";
import {
  addUnbonding,
  epochOf,
  getShares,
  putShares,
  putValidator,
  requireOperator,
  requireValidator,
  tokensFor,
} from "./staking-store.js";

/**
 * `undelegate` (any delegator) and `unbond` (the operator's own stake): burns the shares worth `amount`,
 * lowers the validator's stake now (its voting power follows at the next epoch) and queues the tokens,
 * released at the boundary that starts epoch `current + 1 + unbondingEpochs`.
 * An operator must keep at least minSelfStake bonded, or unbond everything (the validator then leaves the
 * set at the next epoch).
 * @throws TxError TX_ZERO_AMOUNT | TX_UNKNOWN_VALIDATOR | TX_NOT_OPERATOR | TX_INSUFFICIENT_STAKE |
 *   TX_BELOW_MIN_STAKE | TX_TOO_MANY_UNBONDING
 */
export function applyUndelegate(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof StakeMoveCodec>,
  ctx: { params: Params; height: bigint; asOperator: boolean },
): StateTree {
  if (p.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "amount must be > 0");
  const v = requireValidator(tree, p.validator);
  if (ctx.asOperator) requireOperator(v, p.validator, sender);
  const mine = getShares(tree, p.validator, sender);
  const have = tokensFor(v, mine);
  if (p.amount > have) {
    throw new TxError(
      { code: "TX_INSUFFICIENT_STAKE", need: p.amount, have },
      `only ${have} bonded to this validator`,
    );
  }
  // Burn the shares worth `amount`, rounded up so the delegator never takes more than its due.
  const burn = p.amount === have ? mine : (p.amount * v.shares + v.stake - 1n) / v.stake;
  const next = { ...v, stake: v.stake - p.amount, shares: v.shares - burn };
  const remaining = tokensFor(next, mine - burn);
  if (ctx.asOperator && remaining > 0n && remaining < ctx.params.minSelfStake) {
    throw new TxError(
      { code: "TX_BELOW_MIN_STAKE", min: ctx.params.minSelfStake, got: remaining },
      `an operator must keep at least ${ctx.params.minSelfStake} bonded, or unbond all ${have}`,
    );
  }
  tree = putValidator(tree, p.validator, next);
  tree = putShares(tree, p.validator, sender, mine - burn);
  const releaseEpoch = epochOf(ctx.height, ctx.params) + 1n + ctx.params.unbondingEpochs;
  const entry = { validator: p.validator, amount: p.amount, releaseEpoch, creationHeight: ctx.height };
  return addUnbonding(tree, sender, entry, ctx.params);
}
