import { encode, type ValueOf } from "../../codec/index.js";
import { encodeAddress } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import {
  type Escrow,
  escrowIdOf,
  InvoiceCodec,
  invoiceKey,
  MAX_OPEN_INVOICES,
  readEscrow,
  writeEscrow,
} from "../product-state.js";
import type { BillingDepositCodec, BillingInvoiceCodec, BillingOpenCodec } from "../product-tx.js";
import type { StateTree } from "../state-tree.js";
import { notFound, type ProductTxContext, requireVersion } from "./product-rules.js";
import { checkedAdd, debit, requireOperator, requireValidator } from "./staking-store.js";

/**
 * Billing, part 1 (docs/product-layer.md "Billing"): opening and funding an escrow, and validators posting
 * usage invoices against it. Settlement and refunds are in billing-settle.ts.
 */

/** An escrow that exists, or TX_NOT_FOUND. */
export function requireEscrow(tree: StateTree, escrow: Uint8Array): Escrow {
  return readEscrow(tree, escrow) ?? notFound("escrow with this id");
}

/** Only the escrow's owner may do this (TX_NOT_AUTHORIZED otherwise). */
export function requireOwner(e: Escrow, sender: Uint8Array): void {
  if (encodeAddress(e.owner) !== encodeAddress(sender))
    throw new TxError(
      { code: "TX_NOT_AUTHORIZED", reason: "not the escrow owner" },
      `only the escrow's owner (${encodeAddress(e.owner)}) may do this`,
    );
}

/**
 * `billing-open`: a new escrow owned by the sender, id SHA-256(sender ‖ u64 tx nonce), funded with
 * `deposit` (may be 0) from the sender's balance.
 * @throws TxError TX_BAD_ARGUMENT | TX_INSUFFICIENT_FUNDS
 */
export function applyBillingOpen(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof BillingOpenCodec>,
  nonce: bigint,
): StateTree {
  requireVersion(p.version);
  const id = escrowIdOf(sender, nonce);
  if (p.deposit > 0n) tree = debit(tree, sender, p.deposit);
  return writeEscrow(tree, id, {
    owner: sender,
    balance: p.deposit,
    nextInvoice: 0,
    open: [],
    refundEpoch: null,
  });
}

/**
 * `billing-deposit`: anyone adds to an escrow, until it is refunded.
 * @throws TxError TX_ZERO_AMOUNT | TX_NOT_FOUND | TX_INSUFFICIENT_FUNDS | TX_OVERFLOW
 */
export function applyBillingDeposit(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof BillingDepositCodec>,
): StateTree {
  if (p.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "deposit amount must be > 0");
  const e = requireEscrow(tree, p.escrow);
  tree = debit(tree, sender, p.amount);
  return writeEscrow(tree, p.escrow, { ...e, balance: checkedAdd(e.balance, p.amount, "escrow balance") });
}

/**
 * `billing-invoice`, by a validator's operator: `amount` owed by the escrow for usage `usageHash`. Open
 * invoices are paid by `settle`, or first out of the deposit at refund time, so a product cannot close an
 * escrow to dodge invoices posted before its notice period ends.
 * @throws TxError TX_BAD_ARGUMENT | TX_ZERO_AMOUNT | TX_NOT_FOUND | TX_UNKNOWN_VALIDATOR | TX_NOT_OPERATOR |
 *   TX_OUT_OF_WINDOW (notice period over)
 */
export function applyBillingInvoice(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof BillingInvoiceCodec>,
  ctx: ProductTxContext,
): StateTree {
  requireVersion(p.version);
  if (p.amount === 0n) throw new TxError({ code: "TX_ZERO_AMOUNT" }, "invoice amount must be > 0");
  const e = requireEscrow(tree, p.escrow);
  const v = requireValidator(tree, p.validator);
  requireOperator(v, p.validator, sender);
  if (e.refundEpoch !== null && ctx.epoch >= e.refundEpoch)
    throw new TxError(
      { code: "TX_OUT_OF_WINDOW", what: "invoice", epoch: ctx.epoch, current: ctx.epoch },
      `this escrow's notice period ended at epoch ${e.refundEpoch}`,
    );
  if (e.open.length >= MAX_OPEN_INVOICES)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "too many open invoices" },
      `this escrow already has ${MAX_OPEN_INVOICES} open invoices; they must be settled first`,
    );
  const id = e.nextInvoice;
  if (id === 0xffff_ffff)
    throw new TxError({ code: "TX_OVERFLOW", what: "invoice id" }, "invoice ids exhausted");
  tree = tree.set(
    invoiceKey(p.escrow, id),
    encode(InvoiceCodec, { validator: p.validator, amount: p.amount, usageHash: p.usageHash }),
  );
  return writeEscrow(tree, p.escrow, { ...e, nextInvoice: id + 1, open: [...e.open, id] });
}
