import { type AppliedBlock, applyBlock, buildBlock } from "../core/chain/apply/block.js";
import { type Block, decodeBlock, encodeBlock, hashBlock } from "../core/chain/block.js";
import { verifyCommit, voteSignBytes } from "../core/chain/commit.js";
import { ChainError } from "../core/chain/errors.js";
import { merkleRoot } from "../core/chain/merkle.js";
import { getAccount, type State } from "../core/chain/state.js";
import { decodeTxWithHash, encodeTx, hashTx, type Tx } from "../core/chain/tx.js";
import { indexOfValidator, proposerFor, type ValidatorInfo } from "../core/chain/validator-set.js";
import {
  type Commit,
  CommitCodec,
  type DuplicateVoteEvidence,
  ProposalCodec,
  type SignedProposal,
  type SignedVote,
} from "../core/chain/vote.js";
import { bytesEqual, decode, encode, fromHex, toHex } from "../core/codec/index.js";
import {
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  createConsensusState,
  step,
} from "../core/consensus/index.js";
import { addressBytes, sha256, signBytes, verify } from "../core/crypto/index.js";
import { isFastposError } from "../core/errors.js";
import { chainMeta } from "./chain-state.js";
import type { Logger } from "./logger.js";
import type { Mempool } from "./mempool.js";
import {
  BlockRequestCodec,
  BlockResponseCodec,
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  MAX_SYNC_BATCH,
  MSG,
  ProposalMsgCodec,
  packHashes,
  StatusMsgCodec,
  splitByBytes,
  unpackHashes,
  VoteMsgCodec,
} from "./messages.js";
import type { Metrics } from "./metrics.js";
import type { PeerInfo, Transport } from "./p2p/transport.js";
import type { Signer } from "./signer.js";
import type { Store } from "./store.js";
import type { Wal } from "./wal.js";
import { decodeWalRecord, encodeWalRecord, type WalRecord } from "./wal-records.js";

/**
 * The consensus driver: feeds the pure engine (core/consensus) with verified network input, timeouts and
 * built blocks, and executes its effects — signing through the double-sign guard, gossip, timers, and
 * committing decided blocks to the store in one atomic batch (DESIGN.md §4, §5).
 *
 * Gossip: first-seen proposals and votes are relayed once; the node's own messages of the current height
 * are re-sent every tick, so peers that missed them (or restarted) catch up. Proposals are compact: their
 * txs come from the mempool, and the few it lacks are fetched from the peers that sent the proposal. A node
 * behind its peers fetches blocks + commits (block sync) and verifies each commit before applying it.
 */
export interface DriverDeps {
  state: State;
  /** The commit of the block at `state.height` (null at genesis): the next block's lastCommit. */
  lastCommit: Commit | null;
  store: Store;
  signer: Signer | null;
  /** Consensus address of this node's validator key, or null for a full node. */
  self: Uint8Array | null;
  wal: Wal;
  mempool: Mempool<Tx>;
  transport: Transport;
  logger: Logger;
  metrics: Metrics;
  publish: (event: { type: string } & Record<string, unknown>) => void;
  now: () => bigint;
  signal: AbortSignal;
  /** Most txs in a block this node proposes (node config `mempool.maxBlockTxs`); default the chain's max. */
  maxBlockTxs?: number;
  /** Called just before this node sends a proposal (the node flushes queued tx gossip ahead of it). */
  beforePropose?: () => void;
  /** Most bytes of txs in one `blockTxs` frame (default 1 MiB). */
  maxFrameBytes?: number;
}

interface CachedBlock {
  block: Block;
  bytes: Uint8Array;
  applied: AppliedBlock | null;
}

/** A compact proposal whose txs are being gathered: from the mempool, then from peers. */
interface Assembly {
  proposal: SignedProposal;
  /** The compact message as received (relayed once the block is complete). */
  payload: Uint8Array;
  skeleton: Block;
  hashes: Uint8Array[];
  txs: (Tx | undefined)[];
  missing: number;
  /** Peers that sent this proposal, asked in turn for the missing txs. */
  sources: string[];
  asked: number;
}

/**
 * A proposal's missing txs are usually still in flight as tx gossip from their origin (frames on different
 * connections are read in no set order), so they are awaited this long before being asked for.
 */
const FETCH_GRACE_MS = 100;
/** How long a request for a proposal's missing txs waits before the next peer is asked. */
const FETCH_RETRY_MS = 300;

const TICK_MS = 400;

/** The `seen` key of a proposal (one per round and block). */
const proposalKey = (p: SignedProposal["proposal"]) => `p/${p.round}/${toHex(p.blockHash)}`;
const MAX_FUTURE = 2000;

export function createDriver(deps: DriverDeps) {
  const { store, transport, logger: log, metrics, mempool } = deps;
  let state = deps.state;
  let cs: ConsensusState = createConsensusState({
    height: state.height + 1n,
    validators: state.validatorSet,
    self: deps.self,
    timeouts: state.params.timeouts,
  });
  let lastCommit: Commit | null = deps.lastCommit;
  const blocks = new Map<string, CachedBlock>();
  /** Compact proposals of the current height still missing txs, by block hash (hex). */
  const assembling = new Map<string, Assembly>();
  /** Tx hash (hex) → the assembly waiting for it and where it goes, filled as the mempool admits txs. */
  const awaited = new Map<string, { a: Assembly; index: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let own: { type: number; payload: Uint8Array }[] = [];
  const seen = new Set<string>();
  let future: { type: number; payload: Uint8Array; from: string }[] = [];
  const peerHeights = new Map<string, bigint>();
  let committing = false;
  let syncRequestedAt = 0;
  let replaying = false;
  let heightStartedAt = performance.now();
  let pendingEvidence: DuplicateVoteEvidence[] = [];

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!deps.signal.aborted) fn();
    }, ms);
    timers.add(t);
  };

  function log1(r: WalRecord, sync = false): void {
    if (!replaying) deps.wal.append(encodeWalRecord(r), { sync });
  }

  function dispatch(event: ConsensusEvent): void {
    const r = step(cs, event);
    cs = r.state;
    for (const e of r.effects) execute(e);
  }

  function execute(e: ConsensusEffect): void {
    switch (e.type) {
      case "requestValue":
        if (!replaying) buildProposal(e.height, e.round);
        break;
      case "propose":
        return signAndSendProposal(e.proposal);
      case "vote":
        return signAndSendVote(e.vote);
      case "scheduleTimeout":
        later(e.durationMs, () => {
          const ev: ConsensusEvent = { type: "timeout", kind: e.kind, height: e.height, round: e.round };
          log1({ type: "timeout", value: { kind: e.kind, height: e.height, round: e.round } });
          dispatch(ev);
        });
        break;
      case "decide":
        void commitDecided(e.height, e.round, e.blockHash, e.commit);
        break;
      case "evidence":
        pendingEvidence.push(e.evidence);
        deps.publish({
          type: "evidence",
          height: e.evidence.a.vote.height,
          validator: toHex(e.evidence.a.vote.validator),
        });
        break;
      case "roundStep":
        metrics.round.set(e.round);
        deps.publish({ type: "roundStep", height: e.height, round: e.round, step: e.step });
        break;
    }
  }

  function buildProposal(height: bigint, round: number): void {
    try {
      const maxTxs = Math.min(state.params.maxBlockTxs, deps.maxBlockTxs ?? Number.POSITIVE_INFINITY);
      const txs = mempool.reap(maxTxs, Math.floor(state.params.maxBlockBytes * 0.9));
      const verified = new Set(txs); // all from the mempool: verified at admission
      const built = buildBlock(state, {
        txs,
        time: deps.now(),
        proposer: deps.self as Uint8Array,
        lastCommit,
        evidence: pendingEvidence.slice(0, 16),
        verifiedTxs: verified,
      });
      // Txs that fail against the current state never will: drop them (and the sender's later nonces).
      for (const r of built.rejected) {
        const tx = txs[r.index];
        if (tx) mempool.removeWithSuccessors(toHex(hashTx(tx)));
      }
      const bytes = encodeBlock(built.block);
      blocks.set(toHex(built.hash), { block: built.block, bytes, applied: built });
      log1({ type: "valueReady", value: { height, round, block: bytes } }, true);
      dispatch({ type: "valueReady", height, round, blockHash: built.hash });
    } catch (err) {
      log.warn({ err: String(err), height: String(height), round }, "could not build a block");
    }
  }

  function signAndSendProposal(p: SignedProposal["proposal"]): void {
    const entry = blocks.get(toHex(p.blockHash));
    if (!deps.signer || !entry) return;
    let signature: Uint8Array;
    try {
      signature = deps.signer.sign(
        p.height,
        p.round,
        "proposal",
        signBytes("proposal", state.chainId, encode(ProposalCodec, p)),
      );
    } catch (err) {
      // During WAL replay a refusal is expected: the signed proposal follows in the WAL.
      (replaying ? log.debug : log.error).call(log, { err: String(err) }, "signer refused a proposal");
      return;
    }
    const signed: SignedProposal = { proposal: p, signature };
    log1({ type: "proposal", value: { proposal: signed, block: entry.bytes, valid: true } }, true);
    const payload = compactProposal(signed, entry.block);
    own.push({ type: MSG.compactProposal, payload });
    deps.beforePropose?.();
    transport.broadcast(MSG.compactProposal, payload);
    dispatch({ type: "proposal", proposal: signed, valid: true });
  }

  function signAndSendVote(v: SignedVote["vote"]): void {
    if (!deps.signer) return;
    let signature: Uint8Array;
    try {
      signature = deps.signer.sign(v.height, v.round, v.type, voteSignBytes(state.chainId, v));
    } catch (err) {
      log.error(
        { err: String(err), height: String(v.height), round: v.round, type: v.type },
        "signer refused a vote",
      );
      return;
    }
    const sv: SignedVote = { vote: v, signature };
    log1({ type: "vote", value: sv }, true);
    const payload = encode(VoteMsgCodec, sv);
    own.push({ type: MSG.vote, payload });
    seen.add(voteKey(v)); // copies relayed back by peers are not re-verified
    transport.broadcast(MSG.vote, payload);
    onVerifiedVote(sv);
  }

  function onVerifiedVote(sv: SignedVote): void {
    metrics.votesReceived.inc({ validator: toHex(sv.vote.validator).slice(0, 10), type: sv.vote.type });
    deps.publish({
      type: "vote",
      height: sv.vote.height,
      round: sv.vote.round,
      voteType: sv.vote.type,
      validator: toHex(sv.vote.validator),
      blockHash: sv.vote.blockHash ? toHex(sv.vote.blockHash) : null,
    });
    dispatch({ type: "vote", vote: sv });
  }

  /** Validates a proposed block against the current state: the paper's valid(v). Cached per hash. */
  function validate(block: Block, bytes: Uint8Array): CachedBlock {
    const hash = toHex(hashBlock(block));
    const cached = blocks.get(hash);
    if (cached) return cached;
    let applied: AppliedBlock | null = null;
    try {
      const verified = new Set(block.txs.filter((t) => mempool.has(toHex(hashTx(t)))));
      applied = applyBlock(state, block, {
        now: deps.now(),
        verifiedTxs: verified,
        encodedSize: bytes.length,
      });
    } catch (err) {
      if (!(err instanceof ChainError)) throw err;
      log.warn(
        { code: err.code, msg: err.message, height: String(block.header.height) },
        "proposed block is invalid",
      );
    }
    const entry = { block, bytes, applied };
    blocks.set(hash, entry);
    return entry;
  }

  async function commitBlock(
    block: Block,
    bytes: Uint8Array,
    applied: AppliedBlock,
    commit: Commit,
  ): Promise<void> {
    await store.commitBlock({
      height: block.header.height,
      hash: applied.hash,
      block: bytes,
      commit: encode(CommitCodec, commit),
      txs: block.txs.map((t, index) => ({ hash: hashTx(t), index })),
      state: applied.changes,
      meta: chainMeta(applied.state),
    });
    state = applied.state;
    lastCommit = commit;
    const hashes = block.txs.map((t) => toHex(hashTx(t)));
    const included = new Set(hashes);
    pendingEvidence = pendingEvidence.filter((e) => !block.evidence.includes(e));
    // Only the block's senders used nonces: their pending txs are the only ones it can affect.
    const senders = block.txs.map(
      (t, i) => mempool.senderOf(hashes[i] as string) ?? toHex(addressBytes(t.body.from)).slice(2),
    );
    mempool.recheck(
      (sender) => getAccount(state, fromHex(sender, 20)).nonce,
      (_tx, hash) => !included.has(hash),
      senders,
    );
    metrics.height.set(Number(state.height));
    metrics.txsCommitted.inc(block.txs.length);
    metrics.blockTxs.observe(block.txs.length);
    const seconds = (performance.now() - heightStartedAt) / 1000;
    metrics.finalityLatency.observe(seconds);
    for (const v of state.lastValidatorSet.validators) {
      if (!commit.signatures.some((s) => toHex(s.validator) === toHex(v.address))) {
        metrics.votesMissed.inc({ validator: toHex(v.address).slice(0, 10) });
      }
    }
    deps.publish({
      type: "newBlock",
      height: state.height,
      hash: toHex(applied.hash),
      time: block.header.time,
      txs: block.txs.length,
      txHashes: hashes.slice(0, 20_000),
      proposer: toHex(block.header.proposer),
      round: commit.round,
      signers: commit.signatures.map((s) => toHex(s.validator)),
      latencyMs: Math.round(seconds * 1000),
    });
  }

  async function commitDecided(
    height: bigint,
    round: number,
    blockHash: Uint8Array,
    commit: Commit,
  ): Promise<void> {
    const entry = blocks.get(toHex(blockHash));
    if (!entry?.applied) {
      log.error(
        { height: String(height), round },
        "decided a block this node does not have; waiting for block sync",
      );
      return;
    }
    if (committing) return;
    committing = true;
    try {
      await commitBlock(entry.block, entry.bytes, entry.applied, commit);
      log.info(
        { height: String(height), round, txs: entry.block.txs.length, hash: toHex(blockHash).slice(0, 18) },
        "committed block",
      );
      later(state.params.timeouts.commitWait, () => startHeight(state.height + 1n));
    } catch (err) {
      log.error({ err: String(err) }, "commit failed");
    } finally {
      committing = false;
    }
  }

  function startHeight(height: bigint): void {
    if (height !== state.height + 1n || cs.height >= height) return;
    deps.wal.reset();
    deps.wal.append(encodeWalRecord({ type: "height", value: { height } }), { sync: true });
    blocks.clear();
    assembling.clear();
    awaited.clear();
    own = [];
    seen.clear();
    heightStartedAt = performance.now();
    dispatch({ type: "newHeight", height, validators: state.validatorSet });
    const buffered = future;
    future = [];
    for (const f of buffered) onMessage(f.from, f.type, f.payload);
  }

  function voteKey(v: SignedVote["vote"]): string {
    return `v/${toHex(v.validator)}/${v.round}/${v.type}/${v.blockHash ? toHex(v.blockHash) : "nil"}`;
  }

  function relayOnce(key: string, type: number, payload: Uint8Array, from: string): void {
    if (seen.has(key)) return;
    seen.add(key);
    transport.broadcast(type, payload, { except: from });
  }

  function bufferFuture(from: string, type: number, payload: Uint8Array, height: bigint): void {
    if (future.length < MAX_FUTURE) future.push({ type, payload, from });
    peerHeights.set(
      from,
      height - 1n > (peerHeights.get(from) ?? 0n) ? height - 1n : (peerHeights.get(from) ?? 0n),
    );
    maybeSync();
  }

  function validatorAt(address: Uint8Array): ValidatorInfo | undefined {
    const i = indexOfValidator(cs.validators, address);
    return i >= 0 ? cs.validators.validators[i] : undefined;
  }

  /** True if `proposal` is signed by this round's proposer; a bad signature gets `from` dropped. */
  function checkProposal(from: string, proposal: SignedProposal): boolean {
    const p = proposal.proposal;
    const proposer = validatorAt(p.proposer);
    const expected = proposerFor(cs.validators, p.round);
    if (!proposer || toHex(expected.address) !== toHex(p.proposer)) return false;
    if (
      !verify(
        proposer.publicKey,
        signBytes("proposal", state.chainId, encode(ProposalCodec, p)),
        proposal.signature,
      )
    ) {
      transport.misbehave(from, "bad proposal signature");
      return false;
    }
    return true;
  }

  /** A verified proposal with its whole block: relay it, validate the block, and hand it to the engine. */
  function acceptProposal(proposal: SignedProposal, block: Block, bytes: Uint8Array): void {
    assembling.delete(toHex(proposal.proposal.blockHash));
    const entry = validate(block, bytes);
    log1({ type: "proposal", value: { proposal, block: bytes, valid: entry.applied !== null } });
    dispatch({ type: "proposal", proposal, valid: entry.applied !== null });
  }

  function onProposalMsg(from: string, payload: Uint8Array): void {
    const { proposal, block: bytes } = decode(ProposalMsgCodec, payload);
    const p = proposal.proposal;
    if (p.height < cs.height) return;
    if (p.height > cs.height) return bufferFuture(from, MSG.proposal, payload, p.height);
    // PERF: a proposal already checked and relayed (each arrives from every peer) costs no verify or decode.
    const key = proposalKey(p);
    if (seen.has(key)) return;
    if (!checkProposal(from, proposal)) return;
    const block = decodeBlock(bytes);
    if (toHex(hashBlock(block)) !== toHex(p.blockHash))
      return transport.misbehave(from, "proposal block hash mismatch");
    relayOnce(key, MSG.proposal, payload, from);
    acceptProposal(proposal, block, bytes);
  }

  /** The compact form of a proposal and its block (see CompactProposalMsgCodec). */
  function compactProposal(proposal: SignedProposal, block: Block): Uint8Array {
    return encode(CompactProposalMsgCodec, {
      proposal,
      skeleton: encodeBlock({ ...block, txs: [] }),
      txHashes: packHashes(block.txs.map((t) => hashTx(t))),
    });
  }

  function onCompactProposalMsg(from: string, payload: Uint8Array): void {
    const m = decode(CompactProposalMsgCodec, payload);
    const p = m.proposal.proposal;
    if (p.height < cs.height) return;
    if (p.height > cs.height) return bufferFuture(from, MSG.compactProposal, payload, p.height);
    const blockHash = toHex(p.blockHash);
    if (seen.has(proposalKey(p))) return;
    const pending = assembling.get(blockHash);
    if (pending) {
      if (!pending.sources.includes(from)) pending.sources.push(from);
      return;
    }
    if (!checkProposal(from, m.proposal)) return;
    const skeleton = decodeBlock(m.skeleton);
    if (skeleton.txs.length !== 0 || toHex(hashBlock(skeleton)) !== blockHash)
      return transport.misbehave(from, "compact proposal does not match its block hash");
    const hashes = unpackHashes(m.txHashes);
    if (!hashes) return transport.misbehave(from, "malformed compact proposal");
    // SECURITY: the signed header commits to the txs through txRoot; hashes that do not give it are a lie of
    // the sender (an honest node relays a compact proposal only after this check), never a bad block.
    if (!bytesEqual(merkleRoot(hashes), skeleton.header.txRoot))
      return transport.misbehave(from, "compact proposal tx hashes do not match txRoot");
    const absent: [string, number][] = [];
    const txs = hashes.map((h, index) => {
      const hex = toHex(h);
      const tx = mempool.get(hex);
      if (!tx) absent.push([hex, index]);
      return tx;
    });
    const a: Assembly = {
      proposal: m.proposal,
      payload,
      skeleton,
      hashes,
      txs,
      missing: absent.length,
      sources: [from],
      asked: 0,
    };
    if (absent.length === 0) return completeAssembly(a);
    assembling.set(blockHash, a);
    for (const [hex, index] of absent) awaited.set(hex, { a, index });
    later(FETCH_GRACE_MS, () => requestMissing(a));
  }

  /** The mempool admitted a tx (from gossip or the API): it may be one a compact proposal waits for. */
  function onTxAdmitted(hash: string, tx: Tx): void {
    const w = awaited.get(hash);
    if (!w) return;
    awaited.delete(hash);
    const { a, index } = w;
    if (assembling.get(toHex(a.proposal.proposal.blockHash)) !== a || a.txs[index]) return;
    a.txs[index] = tx;
    if (--a.missing === 0) completeAssembly(a);
  }

  function requestMissing(a: Assembly): void {
    const blockHash = a.proposal.proposal.blockHash;
    if (assembling.get(toHex(blockHash)) !== a) return;
    const peer = a.sources[a.asked++ % a.sources.length] as string;
    const indices: number[] = [];
    a.txs.forEach((t, i) => {
      if (!t) indices.push(i);
    });
    if (a.asked === 1) metrics.proposalTxsFetched.inc(indices.length);
    transport.send(peer, MSG.blockTxsRequest, encode(BlockTxsRequestCodec, { blockHash, indices }));
    later(FETCH_RETRY_MS, () => requestMissing(a));
  }

  function completeAssembly(a: Assembly): void {
    const p = a.proposal.proposal;
    assembling.delete(toHex(p.blockHash));
    const key = proposalKey(p);
    if (p.height !== cs.height || seen.has(key)) return;
    const block: Block = { ...a.skeleton, txs: a.txs as Tx[] };
    relayOnce(key, MSG.compactProposal, a.payload, a.sources[0] as string);
    acceptProposal(a.proposal, block, encodeBlock(block));
  }

  /** A peer asks for txs of a block this node holds (it proposed, relayed or validated it). */
  function onBlockTxsRequest(from: string, payload: Uint8Array): void {
    const { blockHash, indices } = decode(BlockTxsRequestCodec, payload);
    const entry = blocks.get(toHex(blockHash));
    if (!entry) return; // not (or no longer) held: the peer asks another one
    const { txs } = entry.block;
    if (indices.some((i) => i >= txs.length))
      return transport.misbehave(from, "block tx request out of range");
    const maxBytes = deps.maxFrameBytes ?? 1 << 20;
    const size = (i: number) => encodeTx(txs[i] as Tx).length + 8;
    for (const run of splitByBytes(indices, indices.length, maxBytes, size)) {
      const part = { indices: run, txs: run.map((i) => encodeTx(txs[i] as Tx)) };
      transport.send(from, MSG.blockTxs, encode(BlockTxsCodec, { blockHash, ...part }));
    }
  }

  function onBlockTxs(from: string, payload: Uint8Array): void {
    const { blockHash, indices, txs } = decode(BlockTxsCodec, payload);
    const a = assembling.get(toHex(blockHash));
    if (!a) return; // complete already, or a late answer from a previous height
    if (indices.length !== txs.length) return transport.misbehave(from, "malformed block txs");
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      const bytes = txs[k] as Uint8Array;
      const hash = a.hashes[i];
      if (!hash) return transport.misbehave(from, "block tx index out of range");
      if (a.txs[i]) continue;
      const h = sha256(bytes);
      if (!bytesEqual(h, hash)) return transport.misbehave(from, "block tx does not match its hash");
      a.txs[i] = decodeTxWithHash(bytes, h); // strict: throws (→ misbehave) on non-canonical bytes
      a.missing--;
    }
    if (a.missing === 0) completeAssembly(a);
  }

  function onVoteMsg(from: string, payload: Uint8Array): void {
    const sv = decode(VoteMsgCodec, payload);
    const v = sv.vote;
    if (v.height < cs.height) return;
    if (v.height > cs.height) return bufferFuture(from, MSG.vote, payload, v.height);
    // PERF: a vote already verified and relayed (each arrives from every peer) is not verified again. The
    // key is marked only after a good signature, so a forged copy cannot shadow the real vote.
    const key = voteKey(v);
    if (seen.has(key)) return;
    const val = validatorAt(v.validator);
    if (!val) return;
    if (!verify(val.publicKey, voteSignBytes(state.chainId, v), sv.signature))
      return transport.misbehave(from, "bad vote signature");
    relayOnce(key, MSG.vote, payload, from);
    log1({ type: "vote", value: sv });
    onVerifiedVote(sv);
  }

  function maybeSync(): void {
    let best: [string, bigint] | undefined;
    for (const [peer, h] of peerHeights) if (h > state.height && (!best || h > best[1])) best = [peer, h];
    if (!best || committing || performance.now() - syncRequestedAt < 500) return;
    syncRequestedAt = performance.now();
    transport.send(
      best[0],
      MSG.blockRequest,
      encode(BlockRequestCodec, { from: state.height + 1n, count: MAX_SYNC_BATCH }),
    );
  }

  async function onBlockRequest(from: string, payload: Uint8Array): Promise<void> {
    const req = decode(BlockRequestCodec, payload);
    const out: { block: Uint8Array; commit: Commit }[] = [];
    for (
      let h = req.from;
      h < req.from + BigInt(Math.min(req.count, MAX_SYNC_BATCH)) && h <= state.height;
      h++
    ) {
      const block = await store.blockByHeight(h);
      const commit = await store.commitAt(h);
      if (!block || !commit) break;
      out.push({ block, commit: decode(CommitCodec, commit) });
    }
    if (out.length) transport.send(from, MSG.blockResponse, encode(BlockResponseCodec, { blocks: out }));
  }

  async function onBlockResponse(from: string, payload: Uint8Array): Promise<void> {
    const { blocks: items } = decode(BlockResponseCodec, payload);
    if (committing) return;
    committing = true;
    let applied = 0;
    try {
      for (const item of items) {
        const block = decodeBlock(item.block);
        if (block.header.height !== state.height + 1n) continue;
        const hash = hashBlock(block);
        // SECURITY: a synced block is accepted only with >2/3 precommits of the set we know for it.
        verifyCommit(item.commit, state.validatorSet, state.chainId, {
          height: block.header.height,
          blockHash: hash,
        });
        const result = applyBlock(state, block);
        await commitBlock(block, item.block, result, item.commit);
        applied++;
      }
    } catch (err) {
      if (isFastposError(err)) transport.misbehave(from, `bad synced block: ${(err as Error).message}`);
      else throw err;
    } finally {
      committing = false;
    }
    if (applied > 0) {
      log.info({ height: String(state.height), applied }, "block sync");
      // Leave the old height's engine and join the current one.
      startHeight(state.height + 1n);
      syncRequestedAt = 0;
      maybeSync();
    }
  }

  function onMessage(from: string, type: number, payload: Uint8Array): void {
    try {
      switch (type) {
        case MSG.proposal:
          return onProposalMsg(from, payload);
        case MSG.compactProposal:
          return onCompactProposalMsg(from, payload);
        case MSG.blockTxsRequest:
          return onBlockTxsRequest(from, payload);
        case MSG.blockTxs:
          return onBlockTxs(from, payload);
        case MSG.vote:
          return onVoteMsg(from, payload);
        case MSG.status: {
          const { height } = decode(StatusMsgCodec, payload);
          peerHeights.set(from, height);
          if (height >= cs.height) maybeSync();
          return;
        }
        case MSG.blockRequest:
          void onBlockRequest(from, payload).catch((err) =>
            log.warn({ err: String(err) }, "block request failed"),
          );
          return;
        case MSG.blockResponse:
          void onBlockResponse(from, payload).catch((err) =>
            log.warn({ err: String(err) }, "block sync failed"),
          );
          return;
        default:
          return transport.misbehave(from, `unknown message type ${type}`);
      }
    } catch (err) {
      if (isFastposError(err)) transport.misbehave(from, `invalid message: ${(err as Error).message}`);
      else log.error({ err: (err as Error).stack }, "message handler failed");
    }
  }

  function tick(): void {
    transport.broadcast(MSG.status, encode(StatusMsgCodec, { height: state.height }));
    for (const m of own) transport.broadcast(m.type, m.payload);
    metrics.peers.set(transport.peers().length);
    later(TICK_MS, tick);
  }

  /** Replays the WAL of the height being resumed (DESIGN.md §4), then starts normal operation. */
  function start(): void {
    const height = state.height + 1n;
    const records = deps.wal.records.map(decodeWalRecord);
    const first = records[0];
    const sameHeight = first?.type === "height" && first.value.height === height;
    deps.wal.reset();
    deps.wal.append(encodeWalRecord({ type: "height", value: { height } }), { sync: true });
    heightStartedAt = performance.now();
    dispatch({ type: "newHeight", height, validators: state.validatorSet });
    if (sameHeight) {
      replaying = true;
      for (const r of records.slice(1)) {
        deps.wal.append(encodeWalRecord(r));
        replayRecord(r);
      }
      replaying = false;
      log.info(
        { height: String(height), records: records.length - 1, truncatedBytes: deps.wal.truncatedBytes },
        "replayed consensus WAL",
      );
    }
    later(TICK_MS, tick);
  }

  function replayRecord(r: WalRecord): void {
    switch (r.type) {
      case "proposal": {
        const block = decodeBlock(r.value.block);
        validate(block, r.value.block);
        if (deps.self && toHex(r.value.proposal.proposal.proposer) === toHex(deps.self)) {
          own.push({
            type: MSG.proposal,
            payload: encode(ProposalMsgCodec, { proposal: r.value.proposal, block: r.value.block }),
          });
        }
        return dispatch({ type: "proposal", proposal: r.value.proposal, valid: r.value.valid });
      }
      case "vote":
        if (deps.self && toHex(r.value.vote.validator) === toHex(deps.self))
          own.push({ type: MSG.vote, payload: encode(VoteMsgCodec, r.value) });
        return dispatch({ type: "vote", vote: r.value });
      case "timeout":
        return dispatch({
          type: "timeout",
          kind: r.value.kind,
          height: r.value.height,
          round: r.value.round,
        });
      case "valueReady": {
        const block = decodeBlock(r.value.block);
        validate(block, r.value.block);
        return dispatch({
          type: "valueReady",
          height: r.value.height,
          round: r.value.round,
          blockHash: hashBlock(block),
        });
      }
      case "height":
        return;
    }
  }

  return {
    start,
    onMessage,
    onTxAdmitted,
    onPeerConnected(peer: PeerInfo) {
      transport.send(peer.id, MSG.status, encode(StatusMsgCodec, { height: state.height }));
      for (const m of own) transport.send(peer.id, m.type, m.payload);
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    get state() {
      return state;
    },
    get consensus() {
      return cs;
    },
    get syncing() {
      for (const h of peerHeights.values()) if (h > state.height + 1n) return true;
      return false;
    },
  };
}

export type Driver = ReturnType<typeof createDriver>;
