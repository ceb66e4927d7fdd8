import type { ValueOf } from "../../codec/index.js";
import { encode, u64 } from "../../codec/index.js";
import type { Params } from "../params.js";
import { challengeKey, hashWorkReport, readChallenge, readReport, writeReport } from "../product-state.js";
import type { ResolveChallengeCodec } from "../product-tx.js";
import { BPS, BURNED_KEY, readBurned } from "../slashing-state.js";
import type { StateTree } from "../state-tree.js";
import { requireCommittee, resolutionMessage, validateQuorum } from "./oracle-quorum.js";
import { notFound, type ProductTxContext, requireVersion } from "./product-rules.js";
import { addToPool, forfeitVesting, releaseVesting } from "./rewards.js";
import { slashValidator } from "./slash.js";
import { credit } from "./staking-store.js";

/** What a fraud verdict did (for tests, events and the API). */
export interface FraudOutcome {
  slashed: bigint;
  challengerReward: bigint;
  forfeited: bigint;
}

/**
 * `resolve-challenge` (docs/product-layer.md "Challenges"): M committee members sign `(epoch, validator,
 * verdict, reportHash, evidenceHash)` for the open challenge.
 * - fraud: the reporter's validator is slashed by `slashFractionFraud` through the slashing machinery
 *   (`slashValidator`: stake, and unbondings created since the report's height), `challengerRewardBps` of
 *   the slash goes to the challenger instead of being burned, the report's epoch reward is forfeited to the
 *   pool, and the challenger gets its bond back;
 * - rejected: the bond goes to the reward pool and the report's vested reward is released if its window has
 *   already closed.
 * @throws TxError TX_BAD_ARGUMENT | TX_NOT_AUTHORIZED | TX_NOT_FOUND | TX_BAD_QUORUM
 */
export function applyResolveChallenge(
  tree: StateTree,
  p: ValueOf<typeof ResolveChallengeCodec>,
  ctx: ProductTxContext & { params: Params },
): StateTree {
  requireVersion(p.version);
  const committee = requireCommittee(tree);
  const challenge = readChallenge(tree, p.epoch, p.validator) ?? notFound("open challenge of this report");
  const record = readReport(tree, p.epoch, p.validator) ?? notFound("work report");
  const body = {
    epoch: p.epoch,
    validator: p.validator,
    verdict: p.verdict,
    reportHash: hashWorkReport(record.report),
    evidenceHash: challenge.evidenceHash,
  };
  validateQuorum(committee, "oracleResolve", ctx.chainId, resolutionMessage(body), p.signatures);
  tree = tree.delete(challengeKey(p.epoch, p.validator));
  if (p.verdict === "rejected") {
    tree = writeReport(addToPool(tree, challenge.bond), { ...record, status: "upheld" });
    return ctx.epoch > p.epoch + ctx.params.challengeWindowEpochs
      ? releaseVesting(tree, p.epoch, p.validator)
      : tree;
  }
  return applyFraud(tree, record.height, p, challenge, ctx.params).tree;
}

function applyFraud(
  tree: StateTree,
  reportHeight: bigint,
  p: { epoch: bigint; validator: Uint8Array },
  challenge: { challenger: Uint8Array; bond: bigint },
  params: Params,
): { tree: StateTree; outcome: FraudOutcome } {
  const record = readReport(tree, p.epoch, p.validator);
  if (record) tree = writeReport(tree, { ...record, status: "fraud" });
  const slashed = slashValidator(tree, p.validator, params.slashFractionFraud, reportHeight);
  tree = slashed.tree;
  // The challenger's share comes out of what slashing burned: those tokens change hands instead.
  const reward = (slashed.burned * BigInt(params.challengerRewardBps)) / BPS;
  if (reward > 0n) tree = tree.set(BURNED_KEY, encode(u64, readBurned(tree) - reward));
  tree = credit(tree, challenge.challenger, challenge.bond + reward);
  const f = forfeitVesting(tree, p.epoch, p.validator);
  return {
    tree: f.tree,
    outcome: { slashed: slashed.burned, challengerReward: reward, forfeited: f.forfeited },
  };
}
