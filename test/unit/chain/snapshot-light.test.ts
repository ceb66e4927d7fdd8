import { describe, expect, it } from "vitest";
import { hashBlock } from "../../../src/core/chain/block.js";
import { verifyLightHeader } from "../../../src/core/chain/light.js";
import {
  encodeStateChunks,
  hashChunks,
  isValidChunk,
  rebuildState,
  SNAPSHOT_FORMAT,
  type SnapshotManifest,
} from "../../../src/core/chain/snapshot.js";
import { createValidatorSet } from "../../../src/core/chain/validator-set.js";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { addressBytes } from "../../../src/core/index.js";
import { buildChain, devChain } from "../../helpers/chain.js";

const chain = devChain(4);
const { blocks, states, commits } = buildChain(chain, [[], [], []]);
const state = states[2]!;

function manifestOf(chunkSize: number): { m: SnapshotManifest; chunks: Uint8Array[] } {
  const { chunks, totalBytes } = encodeStateChunks(state.tree, chunkSize);
  const m: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    height: state.height,
    blockHash: state.lastBlockHash,
    stateRoot: state.tree.root(),
    chunkSize,
    totalBytes: BigInt(totalBytes),
    chunkHashes: hashChunks(chunks),
    meta: new Uint8Array(0),
  };
  return { m, chunks };
}

describe("state snapshot chunks", () => {
  it("cut into fixed-size chunks and rebuilt, give the same state root", () => {
    const { m, chunks } = manifestOf(256);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBe(256);
    for (const [i, c] of chunks.entries()) expect(isValidChunk(m, i, c)).toBe(true);
    expect(rebuildState(m, chunks).root()).toEqual(state.tree.root());
  });

  it("rejects a changed, truncated or misplaced chunk, and a stream whose root differs", () => {
    const { m, chunks } = manifestOf(256);
    const bad = new Uint8Array(chunks[1]!);
    bad[7] = (bad[7] as number) ^ 1;
    expect(isValidChunk(m, 1, bad)).toBe(false);
    expect(isValidChunk(m, 1, chunks[1]!.subarray(1))).toBe(false);
    expect(isValidChunk(m, 2, chunks[1]!)).toBe(false);
    expect(isValidChunk(m, chunks.length, chunks[0]!)).toBe(false);
    const wrongRoot = { ...m, stateRoot: new Uint8Array(32) };
    expect(() => rebuildState(wrongRoot, chunks)).toThrow(/root differs/);
    expect(() => rebuildState(m, chunks.slice(0, -1))).toThrow(/shorter/);
  });
});

describe("light-client header verification", () => {
  const header = blocks[2]!.header;
  const commit = commits[2]!;
  const signers = state.lastValidatorSet;

  it("accepts a header signed by >2/3 of its set that the trusted set vouches for", () => {
    expect(hashBlock(blocks[2]!)).toEqual(commit.blockHash);
    expect(() =>
      verifyLightHeader({
        chainId: state.chainId,
        trusted: chain.state.validatorSet,
        header,
        commit,
        signers,
      }),
    ).not.toThrow();
  });

  it("refuses a set that is not the header's, a commit short of 2/3, and a header the trusted set did not sign", () => {
    const other = createValidatorSet(
      [1, 2, 3, 4].map((i) => {
        const pk = getPublicKey(new Uint8Array(32).fill(i));
        return { address: addressBytes(pk), publicKey: pk, power: 10n, workWeight: 10000n };
      }),
    );
    expect(() =>
      verifyLightHeader({
        chainId: state.chainId,
        trusted: chain.state.validatorSet,
        header,
        commit,
        signers: other,
      }),
    ).toThrow(expect.objectContaining({ code: "LIGHT_BAD_VALIDATORS" }));
    const short = { ...commit, signatures: commit.signatures.slice(0, 2) };
    expect(() =>
      verifyLightHeader({
        chainId: state.chainId,
        trusted: chain.state.validatorSet,
        header,
        commit: short,
        signers,
      }),
    ).toThrow(expect.objectContaining({ code: "BLOCK_BAD_LAST_COMMIT" }));
    expect(() =>
      verifyLightHeader({ chainId: state.chainId, trusted: other, header, commit, signers }),
    ).toThrow(expect.objectContaining({ code: "LIGHT_NOT_TRUSTED" }));
  });
});
