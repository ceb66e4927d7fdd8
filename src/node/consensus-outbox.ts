/**
 * The consensus driver's own messages (DESIGN.md §4): building this node's proposal from the mempool, and
 * signing proposals and votes through the double-sign guard. Each signed message is fsynced to the WAL
 * before it leaves, kept for re-sending every tick, broadcast, and fed back to the engine as input.
 */
import { type BuiltBlock, buildBlock } from "../core/chain/apply/block.js";
import { encodeBlock } from "../core/chain/block.js";
import { voteSignBytes } from "../core/chain/commit.js";

import type { State } from "../core/chain/state.js";
import { hashTx, type Tx } from "../core/chain/tx.js";
import {
  type Commit,
  type Evidence,
  ProposalCodec,
  type SignedProposal,
  type SignedVote,
} from "../core/chain/vote.js";
import { encode, toHex } from "../core/codec/index.js";
import type { ConsensusEvent } from "../core/consensus/index.js";
import { signBytes } from "../core/crypto/index.js";
import type { BlockCache } from "./block-cache.js";
import { conflictingVote, type EquivocateKind } from "./byzantine.js";
import { voteKey } from "./consensus-inbox.js";
import type { Mempool } from "./mempool.js";
import { MSG, VoteMsgCodec } from "./messages.js";
import { encodeCompactProposal } from "./proposal-assembly.js";
import type { Signer } from "./signer.js";
import type { WalRecord } from "./wal-records.js";

export interface OutboxDeps {
  state(): State;
  lastCommit(): Commit | null;
  signer: Signer | null;
  self: Uint8Array | null;
  mempool: Mempool<Tx>;
  blocks: Pick<BlockCache, "get" | "set">;
  /** This node's messages of the current height (re-sent every tick, except to peers `skip` names). */
  own(): OwnMessage[];
  seen: Set<string>;
  evidence(state: State): Evidence[];
  broadcast(type: number, payload: Uint8Array, opts?: { skip?: (peer: string) => boolean }): void;
  wal(r: WalRecord, sync?: boolean): void;
  dispatch(e: ConsensusEvent): void;
  /** A vote this node signed, as the network sees it (metrics, events) before it is dispatched. */
  onOwnVote(sv: SignedVote): void;
  now(): bigint;
  log: {
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
  };
  maxBlockTxs?: number;
  beforePropose?: () => void;
  /**
   * SECURITY: byzantine test mode only (node/byzantine.ts): after each honest message of kind `equivocate`,
   * a conflicting one is signed with `sign` (no double-sign guard) and broadcast. Never fed to this node.
   */
  byzantine?: { equivocate: EquivocateKind; split?: boolean; sign(signBytes: Uint8Array): Uint8Array };
  /** Byzantine split mode: which half (0 or 1) of the connected peers `peer` is in. */
  peerHalf?: (peer: string) => 0 | 1;
}

/** One of this node's own messages; `skip` (byzantine split mode only) names peers never to send it to. */
export interface OwnMessage {
  type: number;
  payload: Uint8Array;
  skip?: (peer: string) => boolean;
}

export type Outbox = ReturnType<typeof createOutbox>;

/** How long a split-mode byzantine node stays honest after start (see `splitting`). */
const SPLIT_SETTLE_MS = 3000;

export function createOutbox(deps: OutboxDeps) {
  /**
   * Split mode stays honest for SPLIT_SETTLE_MS after start: while the peers have not yet exchanged `links`
   * frames they relay each other everything, which would show both halves to all. A targeted equivocator
   * waits for that too.
   */
  const startedAt = performance.now();
  const splitting = () => performance.now() - startedAt >= SPLIT_SETTLE_MS;
  /**
   * Byzantine split mode, once splitting, for messages of the kind it equivocates on: the honest one goes
   * to half 0 of the peers only, the conflicting one to half 1 only. Undefined: every peer.
   */
  const splitFor = (kind: string, half: 0 | 1) => {
    const peerHalf = deps.peerHalf;
    if (!deps.byzantine?.split || deps.byzantine.equivocate !== kind || !peerHalf || !splitting()) return;
    return (peer: string) => peerHalf(peer) !== half;
  };
  /** Sends one of this node's messages now and at every tick (to the peers `skip` leaves). */
  function sendOwn(type: number, payload: Uint8Array, skip?: (peer: string) => boolean): void {
    deps.own().push({ type, payload, ...(skip && { skip }) });
    deps.broadcast(type, payload, skip ? { skip } : undefined);
  }

  /** Byzantine mode: a second block for the same height and round, signed and sent as a second proposal. */
  function equivocateProposal(p: SignedProposal["proposal"], block: BuiltBlock["block"]): void {
    const byz = deps.byzantine;
    if (byz?.equivocate !== "proposal" || (byz.split && !splitting())) return;
    const alt = buildBlock(deps.state(), {
      txs: block.txs,
      time: block.header.time + 1n,
      proposer: block.header.proposer,
      lastCommit: block.lastCommit,
      evidence: block.evidence,
      verifiedTxs: new Set(block.txs),
    });
    const bytes = encodeBlock(alt.block);
    deps.blocks.set(toHex(alt.hash), { block: alt.block, bytes, applied: alt }); // to serve its txs
    const proposal = { ...p, blockHash: alt.hash };
    const signature = byz.sign(signBytes("proposal", deps.state().chainId, encode(ProposalCodec, proposal)));
    deps.log.warn({ height: String(p.height), round: p.round }, "byzantine: sent a conflicting proposal");
    const payload = encodeCompactProposal({ proposal, signature }, alt.block);
    const skip = splitFor("proposal", 1);
    if (skip) sendOwn(MSG.compactProposal, payload, skip);
    else deps.broadcast(MSG.compactProposal, payload);
  }

  /** Byzantine mode: a conflicting vote (nil for a block, a made-up block for nil), signed and sent. */
  function equivocateVote(v: SignedVote["vote"]): void {
    const byz = deps.byzantine;
    if (byz?.equivocate !== v.type || (byz.split && !splitting())) return;
    const other = conflictingVote(v);
    const signature = byz.sign(voteSignBytes(deps.state().chainId, other));
    deps.log.warn(
      { height: String(v.height), round: v.round, type: v.type },
      "byzantine: sent a conflicting vote",
    );
    const payload = encode(VoteMsgCodec, { vote: other, signature });
    const skip = splitFor(v.type, 1);
    if (skip) sendOwn(MSG.vote, payload, skip);
    else deps.broadcast(MSG.vote, payload);
  }

  return {
    /** The engine asks this node, the round's proposer, for a value: a block of mempool txs. */
    buildProposal(height: bigint, round: number): void {
      const state = deps.state();
      try {
        const maxTxs = Math.min(state.params.maxBlockTxs, deps.maxBlockTxs ?? Number.POSITIVE_INFINITY);
        const txs = deps.mempool.reap(maxTxs, Math.floor(state.params.maxBlockBytes * 0.9));
        const built = buildBlock(state, {
          txs,
          time: deps.now(),
          proposer: deps.self as Uint8Array,
          lastCommit: deps.lastCommit(),
          evidence: deps.evidence(state),
          verifiedTxs: new Set(txs), // all from the mempool: verified at admission
        });
        // Txs that fail against the current state never will: drop them (and the sender's later nonces).
        for (const r of built.rejected) {
          const tx = txs[r.index];
          if (tx) deps.mempool.removeWithSuccessors(toHex(hashTx(tx)));
        }
        const bytes = encodeBlock(built.block);
        deps.blocks.set(toHex(built.hash), { block: built.block, bytes, applied: built });
        deps.wal({ type: "valueReady", value: { height, round, block: bytes } }, true);
        deps.dispatch({ type: "valueReady", height, round, blockHash: built.hash });
      } catch (err) {
        deps.log.warn({ err: String(err), height: String(height), round }, "could not build a block");
      }
    },

    signAndSendProposal(p: SignedProposal["proposal"]): void {
      const entry = deps.blocks.get(toHex(p.blockHash));
      if (!deps.signer || !entry) return;
      let signature: Uint8Array;
      try {
        const bytes = signBytes("proposal", deps.state().chainId, encode(ProposalCodec, p));
        signature = deps.signer.sign(p.height, p.round, "proposal", bytes);
      } catch (err) {
        return deps.log.error({ err: String(err) }, "signer refused a proposal");
      }
      const signed: SignedProposal = { proposal: p, signature };
      deps.wal({ type: "proposal", value: { proposal: signed, block: entry.bytes, valid: true } }, true);
      const payload = encodeCompactProposal(signed, entry.block);
      deps.beforePropose?.();
      sendOwn(MSG.compactProposal, payload, splitFor("proposal", 0));
      equivocateProposal(p, entry.block);
      deps.dispatch({ type: "proposal", proposal: signed, valid: true });
    },

    signAndSendVote(v: SignedVote["vote"]): void {
      if (!deps.signer) return;
      let signature: Uint8Array;
      try {
        signature = deps.signer.sign(v.height, v.round, v.type, voteSignBytes(deps.state().chainId, v));
      } catch (err) {
        const at = { height: String(v.height), round: v.round, type: v.type };
        return deps.log.error({ err: String(err), ...at }, "signer refused a vote");
      }
      const sv: SignedVote = { vote: v, signature };
      deps.wal({ type: "vote", value: sv }, true);
      const payload = encode(VoteMsgCodec, sv);
      deps.seen.add(voteKey(v)); // copies relayed back by peers are not re-verified
      sendOwn(MSG.vote, payload, splitFor(v.type, 0));
      equivocateVote(v);
      deps.onOwnVote(sv);
    },
  };
}
