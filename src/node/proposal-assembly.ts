/**
 * Compact proposals (DESIGN.md §5, CHANGELOG "compact proposals"): a proposal travels as its block without
 * txs plus the txs' hashes. A validator takes the txs from its mempool; the few it lacks are usually still
 * in flight as tx gossip, so they are awaited `graceMs` before being asked for (`blockTxsRequest`) from the
 * peers that sent the proposal, one after another every `retryMs`, until the block is whole.
 *
 * SECURITY: the signed header commits to the txs through `txRoot`; a hash list that does not give it, or a
 * tx that does not match its hash, is the sending peer's lie (banned), never a reason to think the block
 * invalid. This module never judges the block itself: the driver validates it once it is whole.
 */
import { type Block, decodeBlock, encodeBlock, hashBlock } from "../core/chain/block.js";
import { merkleRoot } from "../core/chain/merkle.js";
import { decodeTxWithHash, encodeTx, hashTx, type Tx } from "../core/chain/tx.js";
import type { SignedProposal } from "../core/chain/vote.js";
import { bytesEqual, encode, toHex } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import {
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  MSG,
  packHashes,
  splitByBytes,
  unpackHashes,
} from "./messages.js";

/** A compact proposal message, decoded. */
export type CompactProposalMsg = ReturnType<typeof CompactProposalMsgCodec.read>;
type BlockTxsMsg = ReturnType<typeof BlockTxsCodec.read>;
type BlockTxsRequestMsg = ReturnType<typeof BlockTxsRequestCodec.read>;

/** A proposal whose block is whole: what the driver validates and hands to the engine. */
export interface CompleteProposal {
  proposal: SignedProposal;
  block: Block;
  /** The compact message as first received (relayed once the block is whole). */
  payload: Uint8Array;
  /** The first peer that sent it (not relayed back to it). */
  source: string;
}

export interface AssemblyDeps {
  mempoolGet(hash: string): Tx | undefined;
  send(peer: string, type: number, payload: Uint8Array): void;
  misbehave(peer: string, reason: string): void;
  /** Runs `fn` after `ms` (cancelled when the node stops). */
  later(ms: number, fn: () => void): void;
  /** A first request for `count` missing txs went out (metrics). */
  onFetch(count: number): void;
  complete(p: CompleteProposal): void;
  /** Moves these txs (hex hashes) to the front of the gossip intake: a proposal waits for them. */
  expedite?: (hashes: string[]) => void;
  graceMs?: number;
  retryMs?: number;
}

/** The compact form of a proposal and its block. */
export function encodeCompactProposal(proposal: SignedProposal, block: Block): Uint8Array {
  return encode(CompactProposalMsgCodec, {
    proposal,
    skeleton: encodeBlock({ ...block, txs: [] }),
    txHashes: packHashes(block.txs.map((t) => hashTx(t))),
  });
}

/**
 * The skeleton block and tx hashes of a compact proposal, or the reason it is malformed (its skeleton does
 * not hash to the signed block hash, or its hashes do not give the header's txRoot).
 * @throws CodecError on a skeleton that does not decode.
 */
export function openCompactProposal(
  m: CompactProposalMsg,
): { skeleton: Block; hashes: Uint8Array[] } | string {
  const skeleton = decodeBlock(m.skeleton);
  if (skeleton.txs.length !== 0 || !bytesEqual(hashBlock(skeleton), m.proposal.proposal.blockHash))
    return "compact proposal does not match its block hash";
  const hashes = unpackHashes(m.txHashes);
  if (!hashes) return "malformed compact proposal";
  if (!bytesEqual(merkleRoot(hashes), skeleton.header.txRoot))
    return "compact proposal tx hashes do not match txRoot";
  return { skeleton, hashes };
}

/**
 * Answers a peer's `blockTxsRequest` from a block this node holds, in frames of at most `maxBytes`.
 * Duplicate indices are answered once (no amplification: issue 24 item 8); an index out of range is the
 * peer's misbehaviour.
 */
export function serveBlockTxs(
  from: string,
  req: BlockTxsRequestMsg,
  block: Block | undefined,
  maxBytes: number,
  deps: Pick<AssemblyDeps, "send" | "misbehave">,
): void {
  if (!block) return; // not (or no longer) held: the peer asks another one
  const { txs } = block;
  const indices = [...new Set(req.indices)];
  if (indices.some((i) => i >= txs.length)) return deps.misbehave(from, "block tx request out of range");
  const size = (i: number) => encodeTx(txs[i] as Tx).length + 8;
  for (const run of splitByBytes(indices, indices.length, maxBytes, size)) {
    const part = { indices: run, txs: run.map((i) => encodeTx(txs[i] as Tx)) };
    deps.send(from, MSG.blockTxs, encode(BlockTxsCodec, { blockHash: req.blockHash, ...part }));
  }
}

interface Assembly {
  proposal: SignedProposal;
  payload: Uint8Array;
  skeleton: Block;
  hashes: Uint8Array[];
  txs: (Tx | undefined)[];
  missing: number;
  /** Peers that sent this proposal, asked in turn for the missing txs. */
  sources: string[];
  asked: number;
}

export type ProposalAssembly = ReturnType<typeof createProposalAssembly>;

/** The compact proposals of the current height still missing txs (cleared at each new height). */
export function createProposalAssembly(deps: AssemblyDeps) {
  const graceMs = deps.graceMs ?? 100;
  const retryMs = deps.retryMs ?? 300;
  /** By block hash (hex). */
  const assembling = new Map<string, Assembly>();
  /** Tx hash (hex) → the assembly waiting for it and where it goes. */
  const awaited = new Map<string, { a: Assembly; index: number }>();

  function finish(a: Assembly): void {
    assembling.delete(toHex(a.proposal.proposal.blockHash));
    const block: Block = { ...a.skeleton, txs: a.txs as Tx[] };
    deps.complete({ proposal: a.proposal, block, payload: a.payload, source: a.sources[0] as string });
  }

  function requestMissing(a: Assembly): void {
    const blockHash = a.proposal.proposal.blockHash;
    if (assembling.get(toHex(blockHash)) !== a) return;
    const peer = a.sources[a.asked++ % a.sources.length] as string;
    const indices: number[] = [];
    a.txs.forEach((t, i) => {
      if (!t) indices.push(i);
    });
    if (a.asked === 1) deps.onFetch(indices.length);
    deps.send(peer, MSG.blockTxsRequest, encode(BlockTxsRequestCodec, { blockHash, indices }));
    deps.later(retryMs, () => requestMissing(a));
  }

  return {
    /** True (and `from` noted as a source) when this block is already being assembled. */
    addSource(blockHash: Uint8Array, from: string): boolean {
      const a = assembling.get(toHex(blockHash));
      if (a && !a.sources.includes(from)) a.sources.push(from);
      return a !== undefined;
    },

    /** A verified compact proposal (signature and `openCompactProposal` checked by the caller). */
    start(
      from: string,
      proposal: SignedProposal,
      opened: { skeleton: Block; hashes: Uint8Array[] },
      payload: Uint8Array,
    ): void {
      const absent: [string, number][] = [];
      const txs = opened.hashes.map((h, index) => {
        const hex = toHex(h);
        const tx = deps.mempoolGet(hex);
        if (!tx) absent.push([hex, index]);
        return tx;
      });
      const a: Assembly = {
        proposal,
        payload,
        ...opened,
        txs,
        missing: absent.length,
        sources: [from],
        asked: 0,
      };
      if (absent.length === 0) return finish(a);
      assembling.set(toHex(proposal.proposal.blockHash), a);
      for (const [hex, index] of absent) awaited.set(hex, { a, index });
      deps.expedite?.(absent.map(([hex]) => hex));
      deps.later(graceMs, () => requestMissing(a));
    },

    /** The mempool admitted a tx: it may be one an assembly waits for. */
    onTxAdmitted(hash: string, tx: Tx): void {
      const w = awaited.get(hash);
      if (!w) return;
      awaited.delete(hash);
      const { a, index } = w;
      if (assembling.get(toHex(a.proposal.proposal.blockHash)) !== a || a.txs[index]) return;
      a.txs[index] = tx;
      if (--a.missing === 0) finish(a);
    },

    /** A peer's answer to a `blockTxsRequest`. */
    onBlockTxs(from: string, m: BlockTxsMsg): void {
      const a = assembling.get(toHex(m.blockHash));
      if (!a) return; // whole already, or a late answer from a previous height
      if (m.indices.length !== m.txs.length) return deps.misbehave(from, "malformed block txs");
      for (let k = 0; k < m.indices.length; k++) {
        const i = m.indices[k] as number;
        const bytes = m.txs[k] as Uint8Array;
        const hash = a.hashes[i];
        if (!hash) return deps.misbehave(from, "block tx index out of range");
        if (a.txs[i]) continue;
        const h = sha256(bytes);
        if (!bytesEqual(h, hash)) return deps.misbehave(from, "block tx does not match its hash");
        a.txs[i] = decodeTxWithHash(bytes, h); // strict: throws (→ misbehave) on non-canonical bytes
        awaited.delete(toHex(h));
        a.missing--;
      }
      if (a.missing === 0) finish(a);
    },

    get pending(): number {
      return assembling.size;
    },

    /** True while a proposal of this height and round is still missing txs (in flight or asked for). */
    awaits(height: bigint, round: number): boolean {
      for (const a of assembling.values()) {
        const p = a.proposal.proposal;
        if (p.height === height && p.round === round) return true;
      }
      return false;
    },

    clear(): void {
      assembling.clear();
      awaited.clear();
    },
  };
}
