import type { ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import type { StateTree } from "../state-tree.js";
import type { StakeMoveCodec } from "../tx.js";
import {
  checkedAdd,
  debit,
  getShares,
  putShares,
  putValidator,
  requireValidator,
  sharesFor,
} from "./staking-store.js";

/**
 * `delegate`: bonds the sender's tokens to a validator in exchange for shares at the current rate, so a
 * later slash reduces every delegator proportionally. Voting power changes at the next epoch.
 * @throws TxError TX_ZERO_AMOUNT | TX_UNKNOWN_VALIDATOR | TX_INSUFFICIENT_FUNDS | TX_OVERFLOW
 */
export function applyDelegate(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof StakeMoveCodec>,
): StateTree {
  if (p.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "delegation amount must be > 0");
  const v = requireValidator(tree, p.validator);
  tree = debit(tree, sender, p.amount);
  const minted = sharesFor(v, p.amount);
  tree = putValidator(tree, p.validator, {
    ...v,
    stake: checkedAdd(v.stake, p.amount, "validator stake"),
    shares: checkedAdd(v.shares, minted, "validator shares"),
  });
  return putShares(tree, p.validator, sender, getShares(tree, p.validator, sender) + minted);
}
