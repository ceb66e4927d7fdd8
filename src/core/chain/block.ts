import { decode, encode, option, string, struct, toHex, u64, type ValueOf, vector } from "../codec/index.js";
import { encodeAddress, sha256 } from "../crypto/index.js";
import { merkleRoot } from "./merkle.js";
import { hashTx, type Tx, TxCodec, txToJson } from "./tx.js";
import { Address20, type Commit, CommitCodec, EvidenceCodec, Hash32 } from "./vote.js";

/**
 * Blocks (DESIGN.md §3). The header commits to everything: txs (txRoot), the state after applying them
 * (stateRoot), the validator sets, the previous block's commit and the evidence. Block hash = H(header).
 */
export const HeaderCodec = struct({
  chainId: string(64),
  height: u64,
  /** Milliseconds since the Unix epoch; strictly increasing. */
  time: u64,
  parentHash: Hash32,
  txRoot: Hash32,
  stateRoot: Hash32,
  validatorsHash: Hash32,
  nextValidatorsHash: Hash32,
  /** Consensus address of the proposer. */
  proposer: Address20,
  lastCommitHash: Hash32,
  evidenceRoot: Hash32,
});
export type Header = ValueOf<typeof HeaderCodec>;

/** Most txs one block can carry on the wire (params.maxBlockTxs is the tighter, per-chain limit). */
export const MAX_BLOCK_TXS_WIRE = 100_000;

/** Most evidence items one block can carry on the wire (params.maxBlockEvidence is the per-chain limit). */
export const MAX_BLOCK_EVIDENCE_WIRE = 256;

export const BlockCodec = struct({
  header: HeaderCodec,
  txs: vector(TxCodec, MAX_BLOCK_TXS_WIRE),
  /** The >2/3 precommits for the parent; null only at height 1. */
  lastCommit: option(CommitCodec),
  evidence: vector(EvidenceCodec, MAX_BLOCK_EVIDENCE_WIRE),
});
export type Block = ValueOf<typeof BlockCodec>;

export const ZERO_HASH = new Uint8Array(32);

export function hashHeader(h: Header): Uint8Array {
  return sha256(encode(HeaderCodec, h));
}

export function hashBlock(b: Block): Uint8Array {
  return hashHeader(b.header);
}

export function encodeBlock(b: Block): Uint8Array {
  return encode(BlockCodec, b);
}

export function decodeBlock(bytes: Uint8Array): Block {
  return decode(BlockCodec, bytes);
}

export function txRoot(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map((t) => hashTx(t)));
}

export function lastCommitHash(c: Commit | null): Uint8Array {
  return c ? sha256(encode(CommitCodec, c)) : ZERO_HASH;
}

export function evidenceRoot(evidence: Block["evidence"]): Uint8Array {
  return merkleRoot(evidence.map((e) => sha256(encode(EvidenceCodec, e))));
}

/** JSON form of a block for the API. */
export function blockToJson(b: Block) {
  const h = b.header;
  return {
    hash: toHex(hashBlock(b)),
    header: {
      chainId: h.chainId,
      height: h.height.toString(),
      time: h.time.toString(),
      parentHash: toHex(h.parentHash),
      txRoot: toHex(h.txRoot),
      stateRoot: toHex(h.stateRoot),
      validatorsHash: toHex(h.validatorsHash),
      nextValidatorsHash: toHex(h.nextValidatorsHash),
      proposer: encodeAddress(h.proposer),
      lastCommitHash: toHex(h.lastCommitHash),
      evidenceRoot: toHex(h.evidenceRoot),
    },
    txs: b.txs.map(txToJson),
    lastCommit: b.lastCommit
      ? {
          height: b.lastCommit.height.toString(),
          round: b.lastCommit.round,
          blockHash: toHex(b.lastCommit.blockHash),
          signatures: b.lastCommit.signatures.map((s) => ({
            validator: encodeAddress(s.validator),
            signature: toHex(s.signature),
          })),
        }
      : null,
    evidence: b.evidence.length,
  };
}
export type BlockJson = ReturnType<typeof blockToJson>;
