import { encode } from "../codec/index.js";
import { type SignatureMemo, signBytes, verifyRemembered } from "../crypto/index.js";
import { BlockError } from "./errors.js";
import { indexOfValidator, isQuorum, type ValidatorInfo, type ValidatorSet } from "./validator-set.js";
import { type Commit, type Vote, VoteCodec } from "./vote.js";

/** The precommit a commit signature signs (rebuilt from the commit's fields). */
export function commitVote(commit: Commit, validator: Uint8Array): Vote {
  return {
    type: "precommit",
    height: commit.height,
    round: commit.round,
    blockHash: commit.blockHash,
    validator,
  };
}

/** Sign bytes of a vote: domain by vote type ‖ chainId ‖ encode(vote). */
export function voteSignBytes(chainId: string, vote: Vote): Uint8Array {
  return signBytes(vote.type, chainId, encode(VoteCodec, vote));
}

/**
 * Checks that `commit` proves `blockHash` at `height`: every signer is in `set`, signs once, with a valid
 * signature, and the signers hold more than 2/3 of the power (DESIGN.md §4). Used for a block's lastCommit
 * and by block sync before applying a fetched block. `verified`: signatures already checked (the votes a
 * node counted), not checked again.
 * @throws BlockError BLOCK_BAD_LAST_COMMIT with the reason.
 */
export function verifyCommit(
  commit: Commit,
  set: ValidatorSet,
  chainId: string,
  expected: { height: bigint; blockHash: Uint8Array },
  verified?: SignatureMemo,
): void {
  const fail = (reason: string): never => {
    throw new BlockError({ code: "BLOCK_BAD_LAST_COMMIT", reason }, `invalid commit: ${reason}`);
  };
  if (commit.height !== expected.height) fail(`height ${commit.height}, expected ${expected.height}`);
  if (!bytesEq(commit.blockHash, expected.blockHash)) fail("commit is for a different block");
  const seen = new Set<number>();
  let power = 0n;
  for (const sig of commit.signatures) {
    const i = indexOfValidator(set, sig.validator);
    if (i < 0) fail("signature from a non-validator");
    if (seen.has(i)) fail("validator signed twice");
    seen.add(i);
    const v = set.validators[i] as ValidatorInfo;
    const bytes = voteSignBytes(chainId, commitVote(commit, sig.validator));
    if (!verifyRemembered(verified, v.publicKey, bytes, sig.signature)) {
      fail("bad precommit signature");
    }
    power += v.power;
  }
  if (!isQuorum(power, set.totalPower))
    fail(`signers hold ${power} of ${set.totalPower} power, need more than 2/3`);
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
