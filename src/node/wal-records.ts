import { SignedProposalCodec, SignedVoteCodec } from "../core/chain/vote.js";
import { bool, bytes, decode, encode, enumOf, struct, u32, u64, union } from "../core/codec/index.js";

/**
 * What the consensus WAL records (DESIGN.md §4): every input the engine consumes at the current height, in
 * order, with the block bytes for proposals (so a restarted node can re-validate and commit them without
 * the network) and for the proposer's own built block.
 */
export const WalRecordCodec = union({
  proposal: [1, struct({ proposal: SignedProposalCodec, block: bytes(8 << 20), valid: bool })],
  vote: [2, SignedVoteCodec],
  timeout: [
    3,
    struct({ kind: enumOf(["propose", "prevote", "precommit"] as const), height: u64, round: u32 }),
  ],
  valueReady: [4, struct({ height: u64, round: u32, block: bytes(8 << 20) })],
  /** Marks the height the following records belong to. */
  height: [5, struct({ height: u64 })],
});

export type WalRecord = Parameters<typeof WalRecordCodec.write>[1];

export function encodeWalRecord(r: WalRecord): Uint8Array {
  return encode(WalRecordCodec, r);
}

export function decodeWalRecord(b: Uint8Array): WalRecord {
  return decode(WalRecordCodec, b);
}
