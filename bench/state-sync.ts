/**
 * Benchmark (issue 17): state sync vs block sync of the SAME chain, in one process, without a network:
 * what a joining node must download and compute either way. A genesis with ACCOUNTS funded accounts, then
 * BLOCKS blocks, each with a real >2/3 commit of 4 validators.
 *
 * - block sync: every block and its commit (bytes), and per block: decode, verifyCommit, applyBlock (time);
 * - state sync: the manifest, every chunk, the snapshot height's block and commit (bytes), and: each
 *   chunk's hash check, rebuilding the tree and its root, the light-client header check (time).
 * Writing the snapshot (the serving node's cost, once per snapshot.interval) is reported apart.
 *
 * Run: `node --import tsx bench/state-sync.ts [ACCOUNTS] [BLOCKS]` (default 100000 2000); part of
 * `npm run bench`. Real network transfer adds the same per-byte cost to both sides, so the byte ratio is
 * the network half of the story.
 */
import { applyBlock } from "../src/core/chain/apply/block.js";
import { decodeBlock, encodeBlock, hashBlock } from "../src/core/chain/block.js";
import { verifyCommit } from "../src/core/chain/commit.js";
import { createDefaultGenesis, deriveDevValidators } from "../src/core/chain/genesis.js";
import { verifyLightHeader } from "../src/core/chain/light.js";
import {
  encodeManifest,
  encodeStateChunks,
  hashChunks,
  isValidChunk,
  rebuildState,
  SNAPSHOT_FORMAT,
  type SnapshotManifest,
} from "../src/core/chain/snapshot.js";
import { stateFromGenesis } from "../src/core/chain/state.js";
import { CommitCodec } from "../src/core/chain/vote.js";
import { encode } from "../src/core/codec/index.js";
import { addressBytes, encodeAddress, getPublicKey } from "../src/core/crypto/index.js";
import { chainMeta } from "../src/node/chain-state.js";
import { buildChain } from "../test/helpers/chain.js";

export interface StateSyncBench {
  accounts: number;
  blocks: number;
  blockSync: { ms: number; bytes: number };
  stateSync: { ms: number; bytes: number; chunks: number };
  snapshotWriteMs: number;
  timeRatio: number;
  bytesRatio: number;
}

export function runStateSyncBench(accounts: number, blocks: number): StateSyncBench {
  const base = createDefaultGenesis({ validators: 4 });
  // `accounts` in all, with the dev genesis' own (the genesis format holds at most 100,000).
  const extra = Array.from({ length: Math.max(0, accounts - base.accounts.length) }, (_, i) => {
    const a = new Uint8Array(20);
    new DataView(a.buffer).setUint32(16, i + 1);
    a[0] = 0xbe;
    return { address: encodeAddress(a), balance: 1000n };
  });
  const genesis = { ...base, accounts: [...base.accounts, ...extra] };
  const { secrets } = deriveDevValidators(4);
  const chain = {
    genesis,
    state: stateFromGenesis(genesis),
    accounts: [],
    consensus: secrets.map((s) => ({
      secretKey: s.consensusKey,
      address: addressBytes(getPublicKey(s.consensusKey)),
    })),
  };
  const built = buildChain(
    chain as unknown as Parameters<typeof buildChain>[0],
    Array.from({ length: blocks }, () => []),
  );
  const wire = built.blocks.map((b, i) => ({
    block: encodeBlock(b),
    commit: encode(CommitCodec, built.commits[i]!),
  }));

  // Block sync: replay every block from genesis, verifying each commit.
  let t = performance.now();
  let state = chain.state;
  let bytes = 0;
  for (const w of wire) {
    bytes += w.block.length + w.commit.length;
    const block = decodeBlock(w.block);
    verifyCommit(built.commits[Number(block.header.height) - 1]!, state.validatorSet, state.chainId, {
      height: block.header.height,
      blockHash: hashBlock(block),
    });
    state = applyBlock(state, block).state;
  }
  const blockSync = { ms: Math.round(performance.now() - t), bytes };

  // The serving node writes the snapshot of the last height.
  const last = built.states.at(-1)!;
  t = performance.now();
  const { chunks, totalBytes } = encodeStateChunks(last.tree, 256 << 10);
  const m: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    height: last.height,
    blockHash: last.lastBlockHash,
    stateRoot: last.tree.root(),
    chunkSize: 256 << 10,
    totalBytes: BigInt(totalBytes),
    chunkHashes: hashChunks(chunks),
    meta: chainMeta(last).chain as Uint8Array,
  };
  const snapshotWriteMs = Math.round(performance.now() - t);

  // State sync: verify the header, every chunk, rebuild and check the root.
  t = performance.now();
  const w = wire.at(-1)!;
  const header = decodeBlock(w.block).header;
  verifyLightHeader({
    chainId: last.chainId,
    trusted: chain.state.validatorSet,
    header,
    commit: built.commits.at(-1)!,
    signers: last.lastValidatorSet,
  });
  for (const [i, c] of chunks.entries()) if (!isValidChunk(m, i, c)) throw new Error("bad chunk");
  const tree = rebuildState(m, chunks);
  if (tree.size !== last.tree.size) throw new Error("rebuilt state differs");
  const stateBytes = encodeManifest(m).length + totalBytes + w.block.length + w.commit.length;
  const stateSync = { ms: Math.round(performance.now() - t), bytes: stateBytes, chunks: chunks.length };
  return {
    accounts,
    blocks,
    blockSync,
    stateSync,
    snapshotWriteMs,
    timeRatio: Math.round((10 * blockSync.ms) / Math.max(1, stateSync.ms)) / 10,
    bytesRatio: Math.round((10 * blockSync.bytes) / stateSync.bytes) / 10,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const accounts = Number(process.argv[2] ?? 100_000);
  const blocks = Number(process.argv[3] ?? 2000);
  const r = runStateSyncBench(accounts, blocks);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
