import type { ValueOf } from "../../codec/index.js";
import { addressBytes, isValidPublicKey } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import type { StateTree } from "../state-tree.js";
import type { BondCodec } from "../tx.js";
import {
  checkedAdd,
  debit,
  findValidator,
  getShares,
  putShares,
  putValidator,
  requireOperator,
  sharesFor,
} from "./staking-store.js";

/**
 * `bond` (DESIGN.md §3): creates a validator whose operator is the sender, with the given consensus key and
 * self-stake, or adds self-stake to the sender's existing validator. A new validator starts `inactive` and
 * joins the set at the next epoch boundary if its stake ranks in the top `maxValidators`.
 * @throws TxError TX_ZERO_AMOUNT | TX_BELOW_MIN_STAKE | TX_BAD_PUBLIC_KEY | TX_NOT_OPERATOR |
 *   TX_INSUFFICIENT_FUNDS | TX_OVERFLOW | TX_BAD_ARGUMENT
 */
export function applyBond(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof BondCodec>,
  params: Params,
): StateTree {
  if (p.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "bond amount must be > 0");
  const address = addressBytes(p.consensusKey);
  const existing = findValidator(tree, address);
  if (!existing) {
    if (!isValidPublicKey(p.consensusKey))
      throw new TxError({ code: "TX_BAD_PUBLIC_KEY" }, "consensus key is invalid or small-order");
    if (p.amount < params.minSelfStake) {
      throw new TxError(
        { code: "TX_BELOW_MIN_STAKE", min: params.minSelfStake, got: p.amount },
        `a new validator needs a self-stake of at least ${params.minSelfStake}`,
      );
    }
    if (!p.name.trim())
      throw new TxError(
        { code: "TX_BAD_ARGUMENT", reason: "empty name" },
        "a validator needs a name (--moniker)",
      );
    tree = debit(tree, sender, p.amount);
    tree = putValidator(tree, address, {
      name: p.name,
      operator: sender,
      consensusKey: p.consensusKey,
      stake: p.amount,
      shares: p.amount,
      workWeight: 10_000,
      pendingWorkWeight: null,
      commission: 0,
      status: "inactive",
    });
    return putShares(tree, address, sender, p.amount);
  }
  requireOperator(existing, address, sender);
  tree = debit(tree, sender, p.amount);
  const minted = sharesFor(existing, p.amount);
  tree = putValidator(tree, address, {
    ...existing,
    stake: checkedAdd(existing.stake, p.amount, "validator stake"),
    shares: checkedAdd(existing.shares, minted, "validator shares"),
  });
  return putShares(tree, address, sender, getShares(tree, address, sender) + minted);
}
