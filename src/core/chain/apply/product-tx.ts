import type { StateTree } from "../state-tree.js";
import type { TxPayload, UnsignedTx } from "../tx.js";
import { applyBillingDeposit, applyBillingInvoice, applyBillingOpen } from "./billing.js";
import { applyBillingClose, applyBillingRefund, applyBillingSettle } from "./billing-settle.js";
import { applyChallenge } from "./challenge.js";
import { applyOracleAttest } from "./oracle-attest.js";
import { applyOracleRotate } from "./oracle-rotate.js";
import { applyResolveChallenge } from "./resolve-challenge.js";
import { epochOf } from "./staking-store.js";
import type { TxContext } from "./tx.js";
import { applyWithdrawRewards } from "./withdraw-rewards.js";
import { applyWorkReport } from "./work-report.js";

type ProductPayload = Extract<
  TxPayload,
  {
    type:
      | "work-report"
      | "challenge"
      | "settle"
      | "oracle-attest"
      | "resolve-challenge"
      | "oracle-rotate"
      | "withdraw-rewards"
      | "billing-open"
      | "billing-deposit"
      | "billing-invoice"
      | "billing-close"
      | "billing-refund";
  }
>;

/**
 * Dispatch of the product-layer payloads (docs/product-layer.md), after fee and nonce (apply/tx.ts). Each
 * operation lives in its own file; this only hands it the context it reads.
 */
export function applyProductTx(
  tree: StateTree,
  b: UnsignedTx,
  p: ProductPayload,
  sender: Uint8Array,
  ctx: TxContext,
): StateTree {
  const pctx = {
    chainId: ctx.chainId,
    epoch: epochOf(ctx.height, ctx.params),
    height: ctx.height,
    params: ctx.params,
  };
  switch (p.type) {
    case "work-report":
      return applyWorkReport(tree, sender, p.value, pctx);
    case "oracle-attest":
      return applyOracleAttest(tree, p.value, pctx);
    case "oracle-rotate":
      return applyOracleRotate(tree, p.value, ctx.chainId);
    case "challenge":
      return applyChallenge(tree, sender, p.value, pctx);
    case "resolve-challenge":
      return applyResolveChallenge(tree, p.value, pctx);
    case "withdraw-rewards":
      return applyWithdrawRewards(tree, sender, p.value);
    case "billing-open":
      return applyBillingOpen(tree, sender, p.value, b.nonce);
    case "billing-deposit":
      return applyBillingDeposit(tree, sender, p.value);
    case "billing-invoice":
      return applyBillingInvoice(tree, sender, p.value, pctx);
    case "settle":
      return applyBillingSettle(tree, sender, p.value, ctx.params);
    case "billing-close":
      return applyBillingClose(tree, sender, p.value, pctx);
    case "billing-refund":
      return applyBillingRefund(tree, sender, p.value, pctx);
  }
}
