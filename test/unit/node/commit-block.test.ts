import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NodeEvent } from "../../../src/core/api/events.js";
import {
  buildBlock,
  createTransferTx,
  encodeBlock,
  getAccount,
  proposerFor,
  type Tx,
} from "../../../src/core/chain/index.js";
import { encodeTx, hashTx } from "../../../src/core/chain/tx.js";
import { addressBytes, decodeAddress, toHex } from "../../../src/core/index.js";
import { commitBlock } from "../../../src/node/commit-block.js";
import { Mempool } from "../../../src/node/mempool.js";
import { createMetrics } from "../../../src/node/metrics.js";
import { openStore, type Store } from "../../../src/node/store.js";
import { devChain, signCommit } from "../../helpers/chain.js";

const chain = devChain(4);
const [alice, bob] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
const tx = (nonce: bigint) =>
  createTransferTx({
    chainId: chain.state.chainId,
    secretKey: alice.secretKey,
    to: bob.address,
    amount: 7n,
    nonce,
  });
const pooled = (t: Tx) => ({
  hash: toHex(hashTx(t)),
  sender: toHex(addressBytes(t.body.from)).slice(2),
  nonce: t.body.nonce,
  fee: t.body.fee,
  size: encodeTx(t).length,
  tx: t,
});

describe("committing a block (real LevelDB)", () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("persists block, commit, tx index and state at once, rechecks the mempool and reports the block", async () => {
    dir = mkdtempSync(join(tmpdir(), "fastpos-commit-"));
    store = await openStore(join(dir, "db"));
    const mempool = new Mempool<Tx>({ maxTxs: 100, maxBytes: 1 << 20, maxPerSender: 10 });
    const [t0, t1] = [tx(0n), tx(1n)];
    mempool.add(pooled(t0), 0n);
    mempool.add(pooled(t1), 0n);
    const proposer = proposerFor(chain.state.validatorSet, 0).address;
    const built = buildBlock(chain.state, {
      txs: [t0],
      time: chain.state.lastBlockTime + 5n,
      proposer,
      lastCommit: null,
    });
    const commit = signCommit(built.state, chain.consensus.slice(0, 3), 1n, built.hash);
    const metrics = createMetrics();
    const events: NodeEvent[] = [];
    const bytes = encodeBlock(built.block);
    const state = await commitBlock(
      { store, mempool, metrics, publish: (e) => events.push(e) },
      { block: built.block, bytes, applied: built, commit, startedAt: 0, now: 250 },
    );
    expect(state.height).toBe(1n);
    expect(getAccount(state, decodeAddress(bob.address)).balance).toBe(
      getAccount(chain.state, decodeAddress(bob.address)).balance + 7n,
    );
    expect(await store.blockByHeight(1n)).toEqual(bytes);
    expect(await store.commitAt(1n)).toBeDefined();
    expect(mempool.has(toHex(hashTx(t0)))).toBe(false); // included
    expect(mempool.has(toHex(hashTx(t1)))).toBe(true); // still valid: the next nonce
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "newBlock", height: 1n, txs: 1, latencyMs: 250 });
    expect(events[0]?.type === "newBlock" && events[0].signers).toHaveLength(3);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/fastpos_height 1\b/);
    // The validator that did not sign is counted as missing a vote.
    const missing = toHex(chain.consensus[3]!.address).slice(0, 10);
    expect(text).toContain(`validator="${missing}"`);
  });
});
