import { bytesEqual } from "../../codec/index.js";
import { verify } from "../../crypto/index.js";
import { voteSignBytes } from "../commit.js";
import { BlockError } from "../errors.js";
import type { State } from "../state.js";
import { indexOfValidator, type ValidatorInfo } from "../validator-set.js";
import type { DuplicateVoteEvidence } from "../vote.js";

/**
 * Checks duplicate-vote evidence (DESIGN.md §4): two votes by one validator for the same (height, round,
 * type) with different block hashes, both correctly signed. Slashing acts on it in a later issue; for now a
 * block may carry only valid evidence.
 * @throws BlockError BLOCK_BAD_EVIDENCE
 */
export function validateEvidence(state: State, e: DuplicateVoteEvidence): void {
  const bad = (reason: string): never => {
    throw new BlockError({ code: "BLOCK_BAD_EVIDENCE", reason }, `invalid evidence: ${reason}`);
  };
  const a = e.a.vote;
  const b = e.b.vote;
  if (a.type !== b.type || a.height !== b.height || a.round !== b.round)
    bad("votes are not for the same height/round/type");
  if (!bytesEqual(a.validator, b.validator)) bad("votes are from different validators");
  const same =
    a.blockHash && b.blockHash ? bytesEqual(a.blockHash, b.blockHash) : a.blockHash === b.blockHash;
  if (same) bad("votes do not conflict");
  if (a.height > state.height) bad("evidence from the future");
  const i = indexOfValidator(state.lastValidatorSet, a.validator);
  const set = i >= 0 ? state.lastValidatorSet : state.validatorSet;
  const j = indexOfValidator(set, a.validator);
  if (j < 0) bad("not a known validator");
  const pk = (set.validators[j] as ValidatorInfo).publicKey;
  if (!verify(pk, voteSignBytes(state.chainId, a), e.a.signature)) bad("first vote signature invalid");
  if (!verify(pk, voteSignBytes(state.chainId, b), e.b.signature)) bad("second vote signature invalid");
}
