import { bytesEqual, encode } from "../../codec/index.js";
import { encodeAddress, signBytes, verify } from "../../crypto/index.js";
import { voteSignBytes } from "../commit.js";
import { EvidenceError, type EvidenceErrorType } from "../errors.js";
import type { Params } from "../params.js";
import { readCommittedEvidence, readSlashingInfo } from "../slashing-state.js";
import type { State } from "../state.js";
import type { StateTree } from "../state-tree.js";
import { indexOfValidator, type ValidatorInfo } from "../validator-set.js";
import {
  type ConflictingProposalEvidence,
  type DuplicateVoteEvidence,
  type Evidence,
  type EvidenceKind,
  ProposalCodec,
} from "../vote.js";
import { validatorSetAt } from "./set-history.js";

/** What evidence is checked against besides the tree. */
export interface EvidenceContext {
  chainId: string;
  params: Params;
  /** Height of the last committed block: the evidence goes in block lastHeight + 1. */
  lastHeight: bigint;
}

/** One infraction: a validator's conflicting votes (or proposals) at one (height, round, type). */
export interface EvidenceKey {
  validator: Uint8Array;
  height: bigint;
  round: number;
  type: EvidenceKind;
}

/** The infraction a piece of evidence proves ((a, b) and (b, a) are the same one). */
export function evidenceKeyOf(e: Evidence): EvidenceKey {
  if (e.type === "conflictingProposal") {
    const p = e.value.a.proposal;
    return { validator: p.proposer, height: p.height, round: p.round, type: "proposal" };
  }
  const v = e.value.a.vote;
  return { validator: v.validator, height: v.height, round: v.round, type: v.type };
}

function reject(type: EvidenceErrorType, message: string): never {
  throw new EvidenceError(type, `invalid evidence: ${message}`);
}

const shape = (reason: string): never => reject({ code: "EVIDENCE_NOT_CONFLICTING", reason }, reason);

/** Rule 1 for two votes: same (height, round, type, validator), different blocks (nil counts). */
function checkVoteShape(e: DuplicateVoteEvidence): void {
  const a = e.a.vote;
  const b = e.b.vote;
  if (a.type !== b.type || a.height !== b.height || a.round !== b.round)
    shape("votes are not for the same height/round/type");
  if (!bytesEqual(a.validator, b.validator)) shape("votes are from different validators");
  const same =
    a.blockHash && b.blockHash ? bytesEqual(a.blockHash, b.blockHash) : a.blockHash === b.blockHash;
  if (same) shape("votes do not conflict");
}

/** Rule 1 for two proposals: same (height, round, proposer), different signed contents. */
function checkProposalShape(e: ConflictingProposalEvidence): void {
  const a = e.a.proposal;
  const b = e.b.proposal;
  if (a.height !== b.height || a.round !== b.round) shape("proposals are not for the same height/round");
  if (!bytesEqual(a.proposer, b.proposer)) shape("proposals are from different proposers");
  if (bytesEqual(encode(ProposalCodec, a), encode(ProposalCodec, b))) shape("proposals do not conflict");
}

/** Both signatures of `e` under the validator's key, through the one verify rule. */
function signaturesVerify(chainId: string, pk: Uint8Array, e: Evidence): boolean {
  if (e.type === "duplicateVote") {
    const { a, b } = e.value;
    return (
      verify(pk, voteSignBytes(chainId, a.vote), a.signature) &&
      verify(pk, voteSignBytes(chainId, b.vote), b.signature)
    );
  }
  const { a, b } = e.value;
  const bytes = (p: typeof a) => signBytes("proposal", chainId, encode(ProposalCodec, p.proposal));
  return verify(pk, bytes(a), a.signature) && verify(pk, bytes(b), b.signature);
}

/**
 * Checks evidence (duplicate votes or conflicting proposals) against a state (DESIGN.md §4, issue 15),
 * cheapest checks first:
 * 1. two messages by one validator for the same (height, round, type) with different contents;
 * 2. height: at most the last committed one (evidence found while height h is decided goes in block h+1
 *    or later) and not older than `evidenceMaxAgeBlocks`;
 * 3. not committed before (state keeps the keys until they expire), validator not already tombstoned (it
 *    was punished for good: at most one double-sign penalty per validator);
 * 4. the validator was in the set at that height (from the set history, so it still validates after the
 *    validator left), and both signatures verify with that set's key through the one verify rule.
 * @returns the validator's address.
 * @throws EvidenceError with the first failing rule's code.
 */
export function checkEvidence(tree: StateTree, ctx: EvidenceContext, e: Evidence): Uint8Array {
  if (e.type === "duplicateVote") checkVoteShape(e.value);
  else checkProposalShape(e.value);
  const a = evidenceKeyOf(e);
  if (a.height > ctx.lastHeight) {
    reject(
      { code: "EVIDENCE_FUTURE", height: a.height, lastHeight: ctx.lastHeight },
      `height ${a.height} is not committed yet (last ${ctx.lastHeight})`,
    );
  }
  const maxAge = ctx.params.evidenceMaxAgeBlocks;
  if (ctx.lastHeight + 1n - a.height > maxAge) {
    reject(
      { code: "EVIDENCE_TOO_OLD", height: a.height, maxAge },
      `height ${a.height} is more than ${maxAge} blocks old`,
    );
  }
  const committed = readCommittedEvidence(tree).find(
    (c) =>
      c.height === a.height &&
      c.round === a.round &&
      c.type === a.type &&
      bytesEqual(c.validator, a.validator),
  );
  if (committed) {
    reject(
      { code: "EVIDENCE_ALREADY_COMMITTED", committedAt: committed.committedAt },
      `already committed in block ${committed.committedAt}`,
    );
  }
  const validator = encodeAddress(a.validator);
  if (readSlashingInfo(tree, a.validator).tombstoned)
    reject({ code: "EVIDENCE_TOMBSTONED", validator }, `${validator} is already tombstoned`);
  const set = validatorSetAt(tree, a.height);
  const i = set ? indexOfValidator(set, a.validator) : -1;
  if (!set || i < 0) {
    reject(
      { code: "EVIDENCE_UNKNOWN_VALIDATOR", validator, height: a.height },
      `${validator} was not a validator at height ${a.height}`,
    );
  }
  const pk = (set.validators[i] as ValidatorInfo).publicKey;
  if (!signaturesVerify(ctx.chainId, pk, e))
    reject({ code: "EVIDENCE_BAD_SIGNATURE" }, "a signature does not verify");
  return a.validator;
}

/**
 * Whether a block built on `state` could carry `e` (the evidence pool's filter). EVIDENCE_FUTURE is the one
 * code worth waiting on.
 * @throws EvidenceError
 */
export function validateEvidence(state: State, e: Evidence): void {
  checkEvidence(state.tree, { chainId: state.chainId, params: state.params, lastHeight: state.height }, e);
}

/**
 * Whether `e` is worth keeping and gossiping while the next height is decided: like validateEvidence, but
 * evidence from the height being decided (state.height + 1, whose set the state already holds) is fully
 * checked too — signatures included — instead of failing EVIDENCE_FUTURE. What passes here is valid in a
 * block once its height is committed, unless it is committed or expires first.
 * @throws EvidenceError (EVIDENCE_FUTURE only beyond state.height + 1, where the set is not known yet)
 */
export function validatePendingEvidence(state: State, e: Evidence): void {
  const lastHeight = evidenceKeyOf(e).height === state.height + 1n ? state.height + 1n : state.height;
  checkEvidence(state.tree, { chainId: state.chainId, params: state.params, lastHeight }, e);
}
