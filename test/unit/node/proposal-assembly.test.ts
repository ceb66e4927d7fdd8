import { describe, expect, it } from "vitest";
import {
  buildBlock,
  createTransferTx,
  hashBlock,
  proposerFor,
  type Tx,
} from "../../../src/core/chain/index.js";
import { encodeTx, hashTx } from "../../../src/core/chain/tx.js";
import type { SignedProposal } from "../../../src/core/chain/vote.js";
import { decode, encode, toHex } from "../../../src/core/index.js";
import {
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  MSG,
} from "../../../src/node/messages.js";
import {
  type CompleteProposal,
  createProposalAssembly,
  encodeCompactProposal,
  openCompactProposal,
  serveBlockTxs,
} from "../../../src/node/proposal-assembly.js";
import { devChain } from "../../helpers/chain.js";

const chain = devChain(4);
const [alice, bob] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
const txs: Tx[] = Array.from({ length: 6 }, (_, i) =>
  createTransferTx({
    chainId: chain.state.chainId,
    secretKey: alice.secretKey,
    to: bob.address,
    amount: 1n,
    nonce: BigInt(i),
  }),
);
const built = buildBlock(chain.state, {
  txs,
  time: chain.state.lastBlockTime + 100n,
  proposer: proposerFor(chain.state.validatorSet, 0).address,
  lastCommit: null,
});
const proposal: SignedProposal = {
  proposal: {
    height: 1n,
    round: 0,
    blockHash: built.hash,
    polRound: null,
    proposer: built.block.header.proposer,
  },
  signature: new Uint8Array(64),
} as SignedProposal;
const payload = encodeCompactProposal(proposal, built.block);
const msg = decode(CompactProposalMsgCodec, payload);

/** A virtual clock: `later` callbacks run when the test says so. */
function harness(inMempool: Tx[]) {
  const pool = new Map(inMempool.map((t) => [toHex(hashTx(t)), t]));
  const timers: (() => void)[] = [];
  const sent: { peer: string; type: number; payload: Uint8Array }[] = [];
  const banned: string[] = [];
  const done: CompleteProposal[] = [];
  const a = createProposalAssembly({
    mempoolGet: (h) => pool.get(h),
    send: (peer, type, p) => sent.push({ peer, type, payload: p }),
    misbehave: (peer) => banned.push(peer),
    later: (_ms, fn) => timers.push(fn),
    onFetch: () => {},
    complete: (c) => done.push(c),
  });
  const runTimers = () => {
    for (const f of timers.splice(0)) f();
  };
  return { a, sent, banned, done, runTimers };
}

describe("compact proposal assembly", () => {
  it("rebuilds the exact block from the mempool when every tx is there", () => {
    const h = harness(txs);
    const opened = openCompactProposal(msg);
    if (typeof opened === "string") throw new Error(opened);
    h.a.start("p1", msg.proposal, opened, payload);
    expect(h.done).toHaveLength(1);
    expect(toHex(hashBlock(h.done[0]!.block))).toBe(toHex(built.hash));
    expect(h.sent).toHaveLength(0);
  });

  it("asks the sources in turn for missing txs after the grace wait, and completes from their answer", () => {
    const h = harness(txs.slice(0, 3));
    const opened = openCompactProposal(msg);
    if (typeof opened === "string") throw new Error(opened);
    h.a.start("p1", msg.proposal, opened, payload);
    expect(h.a.addSource(built.hash, "p2")).toBe(true);
    expect(h.sent).toHaveLength(0); // grace: gossip may still bring them
    // The driver holds the round's propose timeout while this proposal (and only this one) is incomplete.
    expect([h.a.awaits(1n, 0), h.a.awaits(1n, 1), h.a.awaits(2n, 0)]).toEqual([true, false, false]);
    h.a.onTxAdmitted(toHex(hashTx(txs[3]!)), txs[3]!); // one arrives by gossip meanwhile
    h.runTimers();
    expect(h.sent.map((s) => s.peer)).toEqual(["p1"]);
    expect(decode(BlockTxsRequestCodec, h.sent[0]!.payload).indices).toEqual([4, 5]);
    h.runTimers(); // no answer: the next source
    expect(h.sent.map((s) => s.peer)).toEqual(["p1", "p2"]);
    // p2 answers one with a forged tx: banned, nothing completes.
    const forgedTx = encodeTx({ ...txs[4]!, signature: new Uint8Array(64).fill(9) });
    h.a.onBlockTxs(
      "p2",
      decode(BlockTxsCodec, encode(BlockTxsCodec, { blockHash: built.hash, indices: [4], txs: [forgedTx] })),
    );
    expect(h.banned).toEqual(["p2"]);
    expect(h.done).toHaveLength(0);
    const answer = encode(BlockTxsCodec, {
      blockHash: built.hash,
      indices: [4, 5],
      txs: [encodeTx(txs[4]!), encodeTx(txs[5]!)],
    });
    h.a.onBlockTxs("p1", decode(BlockTxsCodec, answer));
    expect(h.done).toHaveLength(1);
    expect(toHex(hashBlock(h.done[0]!.block))).toBe(toHex(built.hash));
    expect(h.a.pending).toBe(0);
    expect(h.a.awaits(1n, 0)).toBe(false);
  });

  it("rejects a hash list that does not give the signed txRoot, and a skeleton of another block", () => {
    const swapped = {
      ...msg,
      txHashes: new Uint8Array([
        ...msg.txHashes.subarray(32, 64),
        ...msg.txHashes.subarray(0, 32),
        ...msg.txHashes.subarray(64),
      ]),
    };
    expect(openCompactProposal(swapped)).toBe("compact proposal tx hashes do not match txRoot");
    const other = {
      ...msg,
      proposal: { ...msg.proposal, proposal: { ...msg.proposal.proposal, blockHash: new Uint8Array(32) } },
    };
    expect(openCompactProposal(other)).toBe("compact proposal does not match its block hash");
    expect(openCompactProposal({ ...msg, txHashes: msg.txHashes.subarray(1) })).toBe(
      "malformed compact proposal",
    );
  });

  it("serves requested txs once per index and bans out-of-range requests", () => {
    const sent: Uint8Array[] = [];
    const banned: string[] = [];
    const deps = {
      send: (_p: string, t: number, b: Uint8Array) => t === MSG.blockTxs && sent.push(b),
      misbehave: (p: string) => banned.push(p),
    };
    serveBlockTxs("p", { blockHash: built.hash, indices: [1, 1, 1, 2, 1] }, built.block, 1 << 20, deps);
    expect(sent.flatMap((b) => decode(BlockTxsCodec, b).indices)).toEqual([1, 2]);
    serveBlockTxs("p", { blockHash: built.hash, indices: [99] }, built.block, 1 << 20, deps);
    expect(banned).toEqual(["p"]);
    serveBlockTxs("q", { blockHash: built.hash, indices: [0] }, undefined, 1 << 20, deps);
    expect(banned).toEqual(["p"]);
  });
});
