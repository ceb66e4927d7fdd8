import { enumOf, fixedBytes, option, struct, u32, u64, union, type ValueOf, vector } from "../codec/index.js";

/**
 * Consensus wire types that blocks also carry (a block's `lastCommit` is the >2/3 precommits for its
 * parent), so they live in `core/chain` and `core/consensus` imports them (DESIGN.md §1, §4).
 *
 * Validators are named by their 20-byte consensus address: the first 20 bytes of SHA-256(consensus
 * public key), the same derivation as account addresses (DESIGN.md §2).
 */

/** 32-byte SHA-256 digest (block hash, tx hash, roots). */
export const Hash32 = fixedBytes(32);
/** 20-byte address (accounts and validator consensus keys). */
export const Address20 = fixedBytes(20);
/** 64-byte ed25519 signature. */
export const Signature64 = fixedBytes(64);
/** 32-byte ed25519 public key. */
export const PublicKey32 = fixedBytes(32);

/** Vote kinds; each signs under its own domain tag (DESIGN.md §2). */
export const VoteTypeCodec = enumOf(["prevote", "precommit"] as const);
export type VoteType = ValueOf<typeof VoteTypeCodec>;

/**
 * A prevote or precommit. `blockHash === null` is a vote for nil.
 * Sign bytes: `signBytes(vote.type, chainId, encode(VoteCodec, vote))`.
 */
export const VoteCodec = struct({
  type: VoteTypeCodec,
  height: u64,
  round: u32,
  blockHash: option(Hash32),
  validator: Address20,
});
export type Vote = ValueOf<typeof VoteCodec>;

export const SignedVoteCodec = struct({ vote: VoteCodec, signature: Signature64 });
export type SignedVote = ValueOf<typeof SignedVoteCodec>;

/**
 * A proposal for `(height, round)`: the block is identified by hash and gossiped alongside it.
 * `polRound` is the paper's validRound (null = -1): the round whose >2/3 prevotes justify re-proposing.
 * Sign bytes: `signBytes("proposal", chainId, encode(ProposalCodec, p))`.
 */
export const ProposalCodec = struct({
  height: u64,
  round: u32,
  polRound: option(u32),
  blockHash: Hash32,
  proposer: Address20,
});
export type Proposal = ValueOf<typeof ProposalCodec>;

export const SignedProposalCodec = struct({ proposal: ProposalCodec, signature: Signature64 });
export type SignedProposal = ValueOf<typeof SignedProposalCodec>;

/** Upper bound on validators in one commit (and in the active set). */
export const MAX_VALIDATORS = 1000;

/** One precommit signature inside a commit; the vote is rebuilt from the commit's fields. */
export const CommitSigCodec = struct({ validator: Address20, signature: Signature64 });
export type CommitSig = ValueOf<typeof CommitSigCodec>;

/**
 * Proof that `blockHash` was decided at `(height, round)`: precommits carrying >2/3 of the voting power.
 * Each signature is over the precommit `{type: "precommit", height, round, blockHash, validator}`.
 */
export const CommitCodec = struct({
  height: u64,
  round: u32,
  blockHash: Hash32,
  signatures: vector(CommitSigCodec, MAX_VALIDATORS),
});
export type Commit = ValueOf<typeof CommitCodec>;

/** Two conflicting signed votes by one validator at one (height, round, type): duplicate-vote evidence. */
export const DuplicateVoteEvidenceCodec = struct({ a: SignedVoteCodec, b: SignedVoteCodec });
export type DuplicateVoteEvidence = ValueOf<typeof DuplicateVoteEvidenceCodec>;

/**
 * Two signed proposals by one proposer for one (height, round) with different contents (block or polRound):
 * conflicting-proposal evidence, punished like a double vote (issue 15).
 */
export const ConflictingProposalEvidenceCodec = struct({ a: SignedProposalCodec, b: SignedProposalCodec });
export type ConflictingProposalEvidence = ValueOf<typeof ConflictingProposalEvidenceCodec>;

/**
 * What a block's `evidence` list carries: a tagged union, so each kind keeps its own encoding and new kinds
 * get new tags (DESIGN.md §4).
 */
export const EvidenceCodec = union({
  duplicateVote: [0, DuplicateVoteEvidenceCodec],
  conflictingProposal: [1, ConflictingProposalEvidenceCodec],
});
export type Evidence = ValueOf<typeof EvidenceCodec>;

/** What an infraction was signed as: a vote type, or a proposal. */
export const EvidenceKindCodec = enumOf(["prevote", "precommit", "proposal"] as const);
export type EvidenceKind = ValueOf<typeof EvidenceKindCodec>;

/** Wraps duplicate-vote evidence as a block evidence item. */
export const voteEvidence = (value: DuplicateVoteEvidence): Evidence => ({ type: "duplicateVote", value });
/** Wraps conflicting-proposal evidence as a block evidence item. */
export const proposalEvidence = (value: ConflictingProposalEvidence): Evidence => ({
  type: "conflictingProposal",
  value,
});

/**
 * Encoded size of the largest evidence item: the union tag (1) and two proposals, each height 8 + round 4 +
 * polRound 1+4 + block hash 32 + proposer 20 + signature 64 (two votes take 2 × 130).
 * `maxBlockEvidenceBytes` must fit at least one.
 */
export const MAX_EVIDENCE_BYTES = 267;
