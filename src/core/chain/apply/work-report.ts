import type { ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import { readReport, writeReport } from "../product-state.js";
import type { WorkReportCodec } from "../product-tx.js";
import type { StateTree } from "../state-tree.js";
import { type ProductTxContext, requireVersion } from "./product-rules.js";
import { requireOperator, requireValidator } from "./staking-store.js";

/**
 * `work-report` (docs/product-layer.md "Work reports"): the validator's operator claims `workUnits` of work
 * in `epoch`, committed to by `proofHash`. One report per (epoch, validator), for the current or the
 * previous epoch only (so the committee attests a finished epoch, and nobody back-fills history). It earns
 * nothing by itself: the oracle committee's attested score is what moves workWeight.
 * @throws TxError TX_BAD_ARGUMENT | TX_UNKNOWN_VALIDATOR | TX_NOT_OPERATOR | TX_OUT_OF_WINDOW | TX_DUPLICATE
 */
export function applyWorkReport(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof WorkReportCodec>,
  ctx: ProductTxContext,
): StateTree {
  requireVersion(p.version);
  const v = requireValidator(tree, p.validator);
  requireOperator(v, p.validator, sender);
  if (p.epoch > ctx.epoch || p.epoch + 1n < ctx.epoch)
    throw new TxError(
      { code: "TX_OUT_OF_WINDOW", what: "work report", epoch: p.epoch, current: ctx.epoch },
      `a work report must be for the current epoch (${ctx.epoch}) or the previous one, not ${p.epoch}`,
    );
  if (readReport(tree, p.epoch, p.validator))
    throw new TxError(
      { code: "TX_DUPLICATE", what: "work report" },
      `a work report for epoch ${p.epoch} of this validator is already on chain`,
    );
  return writeReport(tree, { report: p, reporter: sender, height: ctx.height, score: null, status: "open" });
}
