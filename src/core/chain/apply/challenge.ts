import { encode, type ValueOf } from "../../codec/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { ChallengeRecordCodec, challengeKey, readChallenge, readReport } from "../product-state.js";
import type { ChallengeCodec } from "../product-tx.js";
import type { StateTree } from "../state-tree.js";
import { notFound, type ProductTxContext, requireVersion } from "./product-rules.js";
import { debit } from "./staking-store.js";

/**
 * `challenge` (docs/product-layer.md "Challenges"): anyone disputes a work report while its epoch is at
 * most `challengeWindowEpochs` behind, bonding `challengeBond` from its balance. One open challenge per
 * report; while it is open the report's epoch reward stays vested (not paid out).
 * @throws TxError TX_BAD_ARGUMENT | TX_NOT_FOUND | TX_OUT_OF_WINDOW | TX_DUPLICATE | TX_INSUFFICIENT_FUNDS
 */
export function applyChallenge(
  tree: StateTree,
  sender: Uint8Array,
  p: ValueOf<typeof ChallengeCodec>,
  ctx: ProductTxContext & { params: Params },
): StateTree {
  requireVersion(p.version);
  const record =
    readReport(tree, p.epoch, p.validator) ?? notFound(`work report for epoch ${p.epoch} of this validator`);
  if (ctx.epoch > p.epoch + ctx.params.challengeWindowEpochs)
    throw new TxError(
      { code: "TX_OUT_OF_WINDOW", what: "challenge", epoch: p.epoch, current: ctx.epoch },
      `the challenge window of epoch ${p.epoch} closed after epoch ${p.epoch + ctx.params.challengeWindowEpochs}`,
    );
  if (record.status !== "open")
    throw new TxError(
      { code: "TX_DUPLICATE", what: "resolved report" },
      `this report was already resolved (${record.status})`,
    );
  if (readChallenge(tree, p.epoch, p.validator))
    throw new TxError({ code: "TX_DUPLICATE", what: "challenge" }, "this report is already being challenged");
  const bond = ctx.params.challengeBond;
  tree = debit(tree, sender, bond);
  return tree.set(
    challengeKey(p.epoch, p.validator),
    encode(ChallengeRecordCodec, {
      challenger: sender,
      bond,
      evidenceHash: p.evidenceHash,
      uri: p.uri,
      height: ctx.height,
    }),
  );
}
