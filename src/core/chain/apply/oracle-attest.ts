import { bytesEqual, type ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { hashWorkReport, readReport, writeReport } from "../product-state.js";
import type { OracleAttestCodec } from "../product-tx.js";
import { BPS } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import { attestationMessage, requireCommittee, validateQuorum } from "./oracle-quorum.js";
import { notFound, type ProductTxContext, requireVersion } from "./product-rules.js";
import { putValidator, requireValidator } from "./staking-store.js";

/** Largest workWeight (100.0), as for genesis and `set-work-weight`. */
export const MAX_WORK_WEIGHT = 1_000_000;

/**
 * The workWeight a score moves `current` to in one epoch: at most max(current, 1.0) ×
 * maxWorkWeightChangeBps / 10000 either way, so a captured committee needs many epochs to swing the
 * proposer schedule (and a validator at 0 can still climb back).
 */
export function boundedWorkWeight(
  current: number,
  score: number,
  params: Pick<Params, "maxWorkWeightChangeBps">,
): number {
  const base = BigInt(Math.max(current, 10_000));
  const step = Number((base * BigInt(params.maxWorkWeightChangeBps)) / BPS);
  const target = Math.min(score, MAX_WORK_WEIGHT);
  if (target > current) return Math.min(target, current + step);
  return Math.max(target, current - step);
}

/**
 * `oracle-attest` (docs/product-layer.md "Oracle committee"): M of the N committee members sign
 * `(chainId, epoch, validator, score, reportHash)`; the report must be on chain with exactly that hash and
 * not attested yet. The score (bounded by `boundedWorkWeight`) becomes the validator's pending workWeight,
 * applied at the next epoch boundary. Anyone may submit it (the signatures are the authority).
 * @throws TxError TX_BAD_ARGUMENT | TX_NOT_AUTHORIZED | TX_NOT_FOUND | TX_DUPLICATE | TX_BAD_QUORUM |
 *   TX_UNKNOWN_VALIDATOR
 */
export function applyOracleAttest(
  tree: StateTree,
  p: ValueOf<typeof OracleAttestCodec>,
  ctx: ProductTxContext & { params: Params },
): StateTree {
  requireVersion(p.version);
  const committee = requireCommittee(tree);
  const record =
    readReport(tree, p.epoch, p.validator) ?? notFound(`work report for epoch ${p.epoch} of this validator`);
  if (!bytesEqual(hashWorkReport(record.report), p.reportHash))
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "reportHash" },
      "reportHash is not the hash of the report on chain",
    );
  if (record.score !== null)
    throw new TxError({ code: "TX_DUPLICATE", what: "attestation" }, "this report is already attested");
  if (record.status === "fraud")
    throw new TxError({ code: "TX_BAD_ARGUMENT", reason: "fraud" }, "this report was found fraudulent");
  const body = { epoch: p.epoch, validator: p.validator, score: p.score, reportHash: p.reportHash };
  validateQuorum(committee, "oracleAttest", ctx.chainId, attestationMessage(body), p.signatures);
  const v = requireValidator(tree, p.validator);
  tree = writeReport(tree, { ...record, score: p.score });
  // Bounded from the workWeight in force, so two attestations in one epoch cannot stack their steps.
  return putValidator(tree, p.validator, {
    ...v,
    pendingWorkWeight: boundedWorkWeight(v.workWeight, p.score, ctx.params),
  });
}
