/**
 * The consensus driver's network input (DESIGN.md §4, §5): every frame of the consensus and sync protocols
 * is decoded, checked (height, signer, signature) and either dropped, buffered for a later height, or handed
 * to the driver as a verified proposal or vote. First-seen proposals and votes are relayed once, to the
 * peers that do not hear their signer first-hand (relay-links.ts).
 *
 * A frame that does not decode, or carries a bad signature, gets its sender reported as misbehaving
 * (banned). Future-height messages are kept only once their signature checks (issue 24 items 2, 3).
 */
import { type Block, decodeBlock, encodeBlock, hashBlock } from "../core/chain/block.js";
import { voteSignBytes } from "../core/chain/commit.js";
import type { State } from "../core/chain/state.js";
import { indexOfValidator, proposerFor, type ValidatorInfo } from "../core/chain/validator-set.js";
import {
  type Evidence,
  ProposalCodec,
  type SignedProposal,
  type SignedVote,
  type Vote,
} from "../core/chain/vote.js";
import { bytesEqual, decode, encode, toHex } from "../core/codec/index.js";
import type { ConsensusState } from "../core/consensus/index.js";
import { type SignatureMemo, signBytes, verify, verifyRemembered } from "../core/crypto/index.js";
import { isFastposError } from "../core/errors.js";
import type { BlockSync } from "./block-sync.js";
import type { FutureBuffer } from "./future-buffer.js";
import {
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  EvidenceMsgCodec,
  HaveVotesMsgCodec,
  LinksMsgCodec,
  MSG,
  ProposalMsgCodec,
  StatusMsgCodec,
  VoteMsgCodec,
} from "./messages.js";
import {
  type CompleteProposal,
  openCompactProposal,
  type ProposalAssembly,
  serveBlockTxs,
} from "./proposal-assembly.js";
import type { LinksMessage } from "./relay-links.js";
import type { ServeBudget } from "./serve-budget.js";

/** The `seen` key of a proposal (one per round and block) and of a vote. */
export const proposalKey = (p: SignedProposal["proposal"]) => `p/${p.round}/${toHex(p.blockHash)}`;
export const voteKey = (v: SignedVote["vote"]) =>
  `v/${toHex(v.validator)}/${v.round}/${v.type}/${v.blockHash ? toHex(v.blockHash) : "nil"}`;

export interface InboxDeps {
  cs(): ConsensusState;
  state(): State;
  /** Keys of proposals and votes already verified and relayed at this height. */
  seen: Set<string>;
  /** Where verified precommits are remembered, so the next block's lastCommit need not check them again. */
  verifiedPrecommits?: SignatureMemo;
  /** A block of this height the node holds (to serve its txs). */
  heldBlock(hashHex: string): Block | undefined;
  future: FutureBuffer;
  sync: BlockSync;
  assembly: ProposalAssembly;
  /** Relays a first-seen message signed by `signer` to the peers that need it (all but `from`). */
  relay(signer: Uint8Array, type: number, payload: Uint8Array, from: string): void;
  send(peer: string, type: number, payload: Uint8Array): void;
  misbehave(peer: string, reason: string): void;
  /** A verified proposal with its whole block. */
  acceptProposal(proposal: SignedProposal, block: Block, bytes: Uint8Array): void;
  /** A verified vote of the current height (not yet in the WAL). */
  acceptVote(sv: SignedVote): void;
  /** Gossiped evidence, decoded (the pool checks each item; see driver.ts). */
  acceptEvidence(from: string, items: Evidence[]): void;
  /** A peer's `links` frame (relay-links.ts). */
  onLinks(from: string, m: LinksMessage): void;
  /** A vote of the last height (late, or an answer to a `haveVotes`): only checked for a double vote. */
  onPastVote?(from: string, sv: SignedVote): void;
  /** A peer's `haveVotes` frame (have-votes.ts). */
  onHaveVotes(from: string, m: { height: bigint; votes: Vote[]; proposals: SignedProposal[] }): void;
  logError(obj: object, msg: string): void;
  maxFrameBytes: number;
  /** Per-peer budget of block txs served (serve-budget.ts); unlimited without one. */
  budget?: Pick<ServeBudget, "txs">;
}

export type Inbox = ReturnType<typeof createInbox>;

export function createInbox(deps: InboxDeps) {
  const { seen, misbehave } = deps;

  function relayOnce(key: string, signer: Uint8Array, type: number, payload: Uint8Array, from: string): void {
    if (seen.has(key)) return;
    seen.add(key);
    deps.relay(signer, type, payload, from);
  }

  function validatorAt(address: Uint8Array): ValidatorInfo | undefined {
    const set = deps.cs().validators;
    const i = indexOfValidator(set, address);
    return i >= 0 ? set.validators[i] : undefined;
  }

  const proposalOk = (p: SignedProposal) => (pk: Uint8Array) =>
    verify(pk, signBytes("proposal", deps.state().chainId, encode(ProposalCodec, p.proposal)), p.signature);

  /**
   * A message for a later height: kept (per peer, a few heights ahead) only once its signer is a known
   * validator and its signature checks with the current set's key, so nobody can fill the buffer with junk
   * or claim a height through it. Beyond the window it is dropped: block sync catches up with such a peer.
   */
  function onFuture(
    from: string,
    m: { type: number; payload: Uint8Array; height: bigint },
    signer: Uint8Array,
    ok: (pk: Uint8Array) => boolean,
  ): void {
    if (!deps.future.inWindow(deps.cs().height, m.height)) return;
    const val = validatorAt(signer);
    if (!val) return;
    if (!ok(val.publicKey)) return misbehave(from, "bad signature on a future-height message");
    deps.future.add({ from, ...m });
    deps.sync.noteHeight(from, m.height - 1n);
  }

  /** True if `proposal` is signed by this round's proposer; a bad signature gets `from` dropped. */
  function checkProposal(from: string, proposal: SignedProposal): boolean {
    const p = proposal.proposal;
    const proposer = validatorAt(p.proposer);
    if (!proposer || !bytesEqual(proposerFor(deps.cs().validators, p.round).address, p.proposer))
      return false;
    if (proposalOk(proposal)(proposer.publicKey)) return true;
    misbehave(from, "bad proposal signature");
    return false;
  }

  function onProposal(from: string, payload: Uint8Array): void {
    const { proposal, block: bytes } = decode(ProposalMsgCodec, payload);
    const p = proposal.proposal;
    const height = deps.cs().height;
    if (p.height < height) return;
    if (p.height > height)
      return onFuture(
        from,
        { type: MSG.proposal, payload, height: p.height },
        p.proposer,
        proposalOk(proposal),
      );
    // PERF: a proposal already checked and relayed (each arrives from every peer) costs no verify or decode.
    const key = proposalKey(p);
    if (seen.has(key) || !checkProposal(from, proposal)) return;
    const block = decodeBlock(bytes);
    if (!bytesEqual(hashBlock(block), p.blockHash)) return misbehave(from, "proposal block hash mismatch");
    relayOnce(key, p.proposer, MSG.proposal, payload, from);
    deps.acceptProposal(proposal, block, bytes);
  }

  function onCompactProposal(from: string, payload: Uint8Array): void {
    const m = decode(CompactProposalMsgCodec, payload);
    const p = m.proposal.proposal;
    const height = deps.cs().height;
    if (p.height < height) return;
    if (p.height > height) {
      const msg = { type: MSG.compactProposal, payload, height: p.height };
      return onFuture(from, msg, p.proposer, proposalOk(m.proposal));
    }
    if (seen.has(proposalKey(p)) || deps.assembly.addSource(p.blockHash, from)) return;
    if (!checkProposal(from, m.proposal)) return;
    const opened = openCompactProposal(m);
    if (typeof opened === "string") return misbehave(from, opened);
    deps.assembly.start(from, m.proposal, opened, payload);
  }

  function onVote(from: string, payload: Uint8Array): void {
    const sv = decode(VoteMsgCodec, payload);
    const v = sv.vote;
    const ok = (pk: Uint8Array) =>
      v.type === "precommit"
        ? verifyRemembered(deps.verifiedPrecommits, pk, voteSignBytes(deps.state().chainId, v), sv.signature)
        : verify(pk, voteSignBytes(deps.state().chainId, v), sv.signature);
    const height = deps.cs().height;
    if (v.height < height) return v.height === height - 1n ? deps.onPastVote?.(from, sv) : undefined;
    if (v.height > height)
      return onFuture(from, { type: MSG.vote, payload, height: v.height }, v.validator, ok);
    // PERF: a vote already verified and relayed (each arrives from every peer) is not verified again. The
    // key is marked only after a good signature, so a forged copy cannot shadow the real vote.
    const key = voteKey(v);
    if (seen.has(key)) return;
    const val = validatorAt(v.validator);
    if (!val) return;
    if (!ok(val.publicKey)) return misbehave(from, "bad vote signature");
    relayOnce(key, v.validator, MSG.vote, payload, from);
    deps.acceptVote(sv);
  }

  function onBlockTxsRequest(from: string, payload: Uint8Array): void {
    const req = decode(BlockTxsRequestCodec, payload);
    const held = deps.heldBlock(toHex(req.blockHash));
    if (!held) return;
    const verdict = deps.budget?.txs(from, Math.max(1, new Set(req.indices).size)) ?? "serve";
    if (verdict === "misbehave") return misbehave(from, "block tx requests far over its budget");
    if (verdict === "refuse") return;
    serveBlockTxs(from, req, held, deps.maxFrameBytes, { send: deps.send, misbehave });
  }

  return {
    /** Routes one frame; never throws. */
    onMessage(from: string, type: number, payload: Uint8Array): void {
      const failed = (err: unknown) => {
        if (isFastposError(err)) misbehave(from, `invalid message: ${(err as Error).message}`);
        else deps.logError({ err: (err as Error)?.stack ?? String(err), type }, "message handler failed");
      };
      try {
        switch (type) {
          case MSG.proposal:
            return onProposal(from, payload);
          case MSG.compactProposal:
            return onCompactProposal(from, payload);
          case MSG.blockTxsRequest:
            return onBlockTxsRequest(from, payload);
          case MSG.blockTxs:
            return deps.assembly.onBlockTxs(from, decode(BlockTxsCodec, payload));
          case MSG.vote:
            return onVote(from, payload);
          case MSG.evidence:
            return deps.acceptEvidence(from, decode(EvidenceMsgCodec, payload).items);
          case MSG.status:
            return deps.sync.onStatus(from, decode(StatusMsgCodec, payload).height);
          case MSG.links:
            return deps.onLinks(from, decode(LinksMsgCodec, payload));
          case MSG.haveVotes:
            return deps.onHaveVotes(from, decode(HaveVotesMsgCodec, payload));
          case MSG.blockRequest:
            return void deps.sync.onBlockRequest(from, payload).catch(failed);
          case MSG.blockResponse:
            return void deps.sync.onBlockResponse(from, payload).catch(failed);
          default:
            return misbehave(from, `unknown message type ${type}`);
        }
      } catch (err) {
        failed(err);
      }
    },

    /** A compact proposal became whole: relay it once and hand it over. */
    onAssembled(c: CompleteProposal): void {
      const p = c.proposal.proposal;
      const key = proposalKey(p);
      if (p.height !== deps.cs().height || seen.has(key)) return;
      relayOnce(key, p.proposer, MSG.compactProposal, c.payload, c.source);
      deps.acceptProposal(c.proposal, c.block, encodeBlock(c.block));
    },
  };
}
