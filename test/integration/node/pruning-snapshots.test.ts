import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeBlock, hashBlock } from "../../../src/core/chain/block.js";
import { decodeManifest, isValidChunk, rebuildState } from "../../../src/core/chain/snapshot.js";
import { CommitCodec } from "../../../src/core/chain/vote.js";
import { decode, encode } from "../../../src/core/codec/index.js";
import { ChunkMsgCodec, ChunkRequestCodec, MSG, SnapshotsMsgCodec } from "../../../src/node/messages.js";
import { createPruner } from "../../../src/node/pruning.js";
import { createSnapshotService } from "../../../src/node/snapshot/service.js";
import { openStore } from "../../../src/node/store.js";
import { buildChain, devChain } from "../../helpers/chain.js";
import { tempDir } from "../../helpers/cli.js";
import { until } from "../../helpers/raw-peer.js";

/**
 * Pruning and snapshot serving on a real LevelDB and real snapshot files (issue 17): a node that keeps only
 * its newest blocks still has them and its state snapshots, and serves both; request budgets hold.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const silent = { info() {}, warn() {} };

describe("pruning and snapshot serving", () => {
  it("keeps the newest keepBlocks blocks, serves a snapshot whose chunks rebuild the state, bans a flooder", async () => {
    const { dir, cleanup } = tempDir("fastpos-prune-");
    cleanups.push(cleanup);
    const chain = devChain(4);
    const { blocks, states, commits } = buildChain(
      chain,
      Array.from({ length: 30 }, () => []),
    );
    const store = await openStore(join(dir, "db"));
    for (const [i, b] of blocks.entries()) {
      await store.commitBlock({
        height: b.header.height,
        hash: hashBlock(b),
        block: encodeBlock(b),
        commit: encode(CommitCodec, commits[i]!),
        txs: [],
        state: [],
      });
    }
    const pruner = createPruner({ store, keepBlocks: 10, log: silent });
    pruner.onCommitted(30n);
    await until(async () => (await store.blockByHeight(20n)) === undefined, 10_000, "pruned");
    expect(await store.blockByHeight(1n)).toBeUndefined();
    expect(await store.commitAt(20n)).toBeUndefined();
    expect(await store.heightByHash(hashBlock(blocks[4]!))).toBeUndefined();
    for (const h of [21n, 25n, 30n]) expect(await store.blockByHeight(h)).toBeDefined();
    expect(await store.heightByHash(hashBlock(blocks[29]!))).toBe(30n);

    // The snapshot writer runs off the commit path; the pruned node serves it.
    const sent: { peer: string; type: number; payload: Uint8Array }[] = [];
    const banned: string[] = [];
    const service = createSnapshotService({
      dataDir: dir,
      interval: 10,
      keep: 2,
      chunkBytes: 1024,
      chunksPerSecondPerPeer: 5,
      send: (peer, type, payload) => sent.push({ peer, type, payload }),
      misbehave: (peer) => banned.push(peer),
      log: silent,
    });
    service.onCommitted(states[29]!);
    await until(() => service.manifests().length === 1, 10_000, "snapshot written");
    service.onMessage("a", MSG.snapshotsRequest, new Uint8Array(0));
    const offered = decode(SnapshotsMsgCodec, sent.at(-1)!.payload).manifests.map(decodeManifest);
    expect(offered.map((m) => m.height)).toEqual([30n]);
    const m = offered[0]!;
    const n = m.chunkHashes.length / 32;
    expect(n).toBeGreaterThan(1);
    for (let i = 0; i < n; i++)
      service.onMessage("a", MSG.chunkRequest, encode(ChunkRequestCodec, { height: 30n, index: i }));
    await until(() => sent.filter((s) => s.type === MSG.chunk).length === n, 10_000, "chunks served");
    const chunks = sent
      .filter((s) => s.type === MSG.chunk)
      .map((s) => decode(ChunkMsgCodec, s.payload))
      .sort((a, b) => a.index - b.index)
      .map((c) => c.data);
    chunks.forEach((c, i) => {
      expect(isValidChunk(m, i, c)).toBe(true);
    });
    expect(rebuildState(m, chunks).root()).toEqual(states[29]!.tree.root());
    // Over its budget (5/s, bursts of 10) a peer's requests are dropped; far over it, it is banned.
    for (let i = 0; i < 400; i++)
      service.onMessage("flood", MSG.chunkRequest, encode(ChunkRequestCodec, { height: 30n, index: 0 }));
    expect(banned).toContain("flood");
    expect(banned).not.toContain("a");
    await store.close();
  });
});
