import type { ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { type Escrow, escrowKey, invoiceKey, readInvoice, writeEscrow } from "../product-state.js";
import type { BillingSettleCodec, EscrowRefCodec } from "../product-tx.js";
import { BPS } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import { requireEscrow, requireOwner } from "./billing.js";
import { notFound, type ProductTxContext } from "./product-rules.js";
import { addToPool } from "./rewards.js";
import { credit, findValidator } from "./staking-store.js";

/**
 * Billing, part 2 (docs/product-layer.md "Billing"): paying invoices out of an escrow, closing it, and the
 * refund of what is left after the notice period. Every token leaving an escrow goes to exactly one of: a
 * validator's operator, the reward pool (protocol fee), or the owner (refund), so escrow accounting is
 * balanced by construction (property-tested).
 */

/** Pays one open invoice: protocol fee to the pool, the rest to the validator's current operator. */
function payInvoice(
  tree: StateTree,
  escrowId: Uint8Array,
  e: Escrow,
  id: number,
  params: Params,
): { tree: StateTree; escrow: Escrow } {
  const inv = readInvoice(tree, escrowId, id);
  if (!inv || !e.open.includes(id)) notFound(`open invoice ${id} on this escrow`);
  if (inv.amount > e.balance)
    throw new TxError(
      { code: "TX_INSUFFICIENT_FUNDS", need: inv.amount, have: e.balance },
      `invoice ${id} is for ${inv.amount} but the escrow holds ${e.balance}; deposit more first`,
    );
  const fee = (inv.amount * BigInt(params.protocolFeeBps)) / BPS;
  const v = findValidator(tree, inv.validator);
  tree = tree.delete(invoiceKey(escrowId, id));
  tree = addToPool(tree, v ? fee : inv.amount);
  if (v) tree = credit(tree, v.operator, inv.amount - fee);
  const escrow = { ...e, balance: e.balance - inv.amount, open: e.open.filter((x) => x !== id) };
  return { tree, escrow };
}

/**
 * `settle` (tag 11), by the owner: pays the listed open invoices in order.
 * @throws TxError TX_NOT_FOUND | TX_NOT_AUTHORIZED | TX_INSUFFICIENT_FUNDS | TX_BAD_ARGUMENT (empty list)
 */
export function applyBillingSettle(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof BillingSettleCodec>,
  params: Params,
): StateTree {
  if (p.invoices.length === 0)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "no invoices" },
      "name at least one invoice to settle",
    );
  let e = requireEscrow(tree, p.escrow);
  requireOwner(e, sender);
  for (const id of p.invoices) ({ tree, escrow: e } = payInvoice(tree, p.escrow, e, id, params));
  return writeEscrow(tree, p.escrow, e);
}

/**
 * `billing-close`, by the owner: starts the notice period; the unused deposit can be refunded from epoch
 * current + billingNoticeEpochs, and validators may invoice until then.
 * @throws TxError TX_NOT_FOUND | TX_NOT_AUTHORIZED | TX_DUPLICATE (already closing)
 */
export function applyBillingClose(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof EscrowRefCodec>,
  ctx: ProductTxContext & { params: Params },
): StateTree {
  const e = requireEscrow(tree, p.escrow);
  requireOwner(e, sender);
  if (e.refundEpoch !== null)
    throw new TxError(
      { code: "TX_DUPLICATE", what: "close" },
      `already closing: refund from epoch ${e.refundEpoch}`,
    );
  return writeEscrow(tree, p.escrow, { ...e, refundEpoch: ctx.epoch + ctx.params.billingNoticeEpochs });
}

/**
 * `billing-refund`, by the owner once the notice period is over: open invoices are paid first (as far as
 * the balance goes, oldest first; the rest are dropped), the remainder goes back to the owner, and the
 * escrow is deleted.
 * @throws TxError TX_NOT_FOUND | TX_NOT_AUTHORIZED | TX_OUT_OF_WINDOW (not closed, or notice not over)
 */
export function applyBillingRefund(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof EscrowRefCodec>,
  ctx: ProductTxContext & { params: Params },
): StateTree {
  let e = requireEscrow(tree, p.escrow);
  requireOwner(e, sender);
  if (e.refundEpoch === null || ctx.epoch < e.refundEpoch)
    throw new TxError(
      { code: "TX_OUT_OF_WINDOW", what: "refund", epoch: e.refundEpoch ?? 0n, current: ctx.epoch },
      e.refundEpoch === null
        ? "close the escrow first (billing close); the refund follows after the notice period"
        : `the notice period runs until epoch ${e.refundEpoch} (now ${ctx.epoch})`,
    );
  for (const id of [...e.open]) {
    const inv = readInvoice(tree, p.escrow, id);
    if (inv && inv.amount <= e.balance) ({ tree, escrow: e } = payInvoice(tree, p.escrow, e, id, ctx.params));
    else tree = tree.delete(invoiceKey(p.escrow, id));
  }
  tree = tree.delete(escrowKey(p.escrow));
  return e.balance > 0n ? credit(tree, e.owner, e.balance) : tree;
}
