import type { ConsensusHalt } from "../core/api/contract.js";
import { type AppliedBlock, applyBlock } from "../core/chain/apply/block.js";
import { evidenceKeyOf } from "../core/chain/apply/evidence.js";
import { type Block, hashBlock } from "../core/chain/block.js";
import { verifyCommit } from "../core/chain/commit.js";
import type { Tx } from "../core/chain/tx.js";
import {
  type Commit,
  type Evidence,
  proposalEvidence,
  type SignedProposal,
  type SignedVote,
  voteEvidence,
} from "../core/chain/vote.js";
import { encode, toHex } from "../core/codec/index.js";
import {
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  createConsensusState,
  step,
} from "../core/consensus/index.js";
import { RecentSignatures } from "../core/crypto/index.js";
import { createBlockCache } from "./block-cache.js";
import { createBlockSync } from "./block-sync.js";
import { commitBlock } from "./commit-block.js";
import { type CommitWatchResult, createCommitWatch } from "./commit-watch.js";
import { createInbox } from "./consensus-inbox.js";
import { createOutbox, type OwnMessage } from "./consensus-outbox.js";
import type { DriverDeps } from "./driver-deps.js";
import { evidenceKey, FORGED_EVIDENCE_CODES } from "./evidence-pool.js";
import { createFutureBuffer } from "./future-buffer.js";
import { createHaveVotes } from "./have-votes.js";
import { createIdleGate } from "./idle-gate.js";
import {
  EvidenceMsgCodec,
  HaveVotesMsgCodec,
  LinksMsgCodec,
  MAX_EVIDENCE_BATCH,
  MSG,
  StatusMsgCodec,
  VoteMsgCodec,
} from "./messages.js";
import type { PeerInfo } from "./p2p/transport.js";
import { createProposalAssembly } from "./proposal-assembly.js";
import { createRelayLinks } from "./relay-links.js";
import { createServeBudget } from "./serve-budget.js";
import { decodeWalRecord, encodeWalRecord, type WalRecord } from "./wal-records.js";
import { createReplayer, planWalReplay, type ReplayItem, type ReplayLeftover } from "./wal-replay.js";

const TICK_MS = 400;
/** Extra propose timeouts a round waits for a received proposal still fetching its txs (see scheduleTimeout). */
const PROPOSE_EXTENSIONS = 2;
/** A link that carried no app frame for this long stops counting as first-hand (relay-links.ts). */
const LINK_SILENCE_MS = 3 * TICK_MS;
/** Messages of one signer held per height for peers that lose their link to it (a byzantine one may sign many). */
const HELD_PER_SIGNER = 64;
/** Frame types whose loss on a link makes it not first-hand for relaying. */
const CONSENSUS_TYPES = [
  MSG.proposal,
  MSG.compactProposal,
  MSG.blockTxsRequest,
  MSG.blockTxs,
  MSG.vote,
  MSG.status,
  MSG.links,
] as const;
/** Future-height messages kept per peer, and how many heights ahead (issue 24 item 3). */
const FUTURE_PER_PEER = 256;
const FUTURE_WINDOW = 4n;
/**
 * What one peer may be served per second (issue 23 item 3): far above an honest peer's catch-up
 * (4 windows of 32 blocks in flight) or proposal assembly (the txs it misses, once per source).
 */
const SERVE_LIMITS = {
  blocksPerSecond: 256,
  blockBurst: 512,
  txsPerSecond: 20_000,
  txBurst: 40_000,
  maxRefusedInARow: 64,
};

export function createDriver(deps: DriverDeps) {
  const { transport, logger: log, metrics, mempool } = deps;
  let state = deps.state;
  let cs: ConsensusState = createConsensusState({
    height: state.height + 1n,
    validators: state.validatorSet,
    self: deps.self,
    timeouts: state.params.timeouts,
  });
  let lastCommit: Commit | null = deps.lastCommit;
  /** Precommit signatures this node verified as votes: a block's lastCommit repeats them (verify.ts). */
  const verifiedPrecommits = new RecentSignatures();
  const blocks = createBlockCache({
    state: () => state,
    mempool,
    now: deps.now,
    log,
    verifiedSignatures: verifiedPrecommits,
  });
  const timers = new Set<NodeJS.Timeout>();
  /** This node's own messages of the current height, re-sent every tick. */
  let own: OwnMessage[] = [];
  const seen = new Set<string>();
  /** First-seen messages of the current height by signer (hex), for peers that stop hearing it first-hand. */
  const held = new Map<string, { type: number; payload: Uint8Array }[]>();
  let committing = false;
  let heightStartedAt = performance.now();
  const queue: ConsensusEvent[] = [];
  let draining = false;
  const replayer = createReplayer();
  const watch = createCommitWatch();
  let halted: ConsensusHalt | null = null;
  /** A tx-triggered idle-gate poke is queued for the next turn (onTxAdmitted). */
  let pokeScheduled = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!deps.signal.aborted && !halted) fn();
    }, ms);
    timers.add(t);
  };
  const misbehave = (peer: string, reason: string) => transport.misbehave(peer, reason);
  const send = (peer: string, type: number, payload: Uint8Array) => transport.send(peer, type, payload);
  const broadcast = (
    type: number,
    payload: Uint8Array,
    opts?: { except?: string; skip?: (peer: string) => boolean },
  ) => transport.broadcast(type, payload, opts);
  /** To one peer, or to every peer (null). */
  const sendOrBroadcast = (peer: string | null, type: number, payload: Uint8Array) =>
    peer ? send(peer, type, payload) : broadcast(type, payload);
  const links = createRelayLinks({
    nodeId: transport.nodeId,
    now: () => performance.now(),
    silenceMs: LINK_SILENCE_MS,
    impaired: (peer) => transport.impaired(peer, CONSENSUS_TYPES),
    sendLinks: (peer, m) => sendOrBroadcast(peer, MSG.links, encode(LinksMsgCodec, m)),
  });
  for (const p of transport.peers()) links.connected(p.id, p.validator);
  const have = createHaveVotes({
    announce: (peer, height, votes, proposals) =>
      sendOrBroadcast(peer, MSG.haveVotes, encode(HaveVotesMsgCodec, { height, votes, proposals })),
    sendVote: (peer, sv) => send(peer, MSG.vote, encode(VoteMsgCodec, sv)),
    conflictingProposals(mine, theirs, from) {
      // SECURITY: the pool checks both signatures; a forged proposal makes forged evidence and bans its sender.
      if (addEvidence(proposalEvidence({ a: mine, b: theirs }), from) === "forged")
        misbehave(from, "a forged proposal in a haveVotes frame");
    },
  });
  /** Relays a first-seen proposal or vote to the peers that do not hear its signer first-hand. */
  const relay = (signer: Uint8Array, type: number, payload: Uint8Array, from: string) => {
    const s = toHex(signer);
    const list = held.get(s) ?? [];
    if (list.length === 0) held.set(s, list);
    if (list.length < HELD_PER_SIGNER) list.push({ type, payload });
    let asked = 0;
    const skip = (peer: string) => {
      asked++;
      return links.skip(peer, s);
    };
    const skipped = transport.broadcast(type, payload, { except: from, skip });
    if (skipped) metrics.relayFrames.inc({ outcome: "skipped" }, skipped);
    if (asked > skipped) metrics.relayFrames.inc({ outcome: "sent" }, asked - skipped);
  };
  const wal = (r: WalRecord, sync = false) => {
    if (!replayer.active) deps.wal.append(encodeWalRecord(r), { sync });
  };

  const future = createFutureBuffer({ perPeer: FUTURE_PER_PEER, window: FUTURE_WINDOW });
  const budget = createServeBudget(SERVE_LIMITS);
  const evidence = deps.evidencePool;
  const idle = createIdleGate({
    intervalMs: deps.emptyBlocksIntervalMs ?? 0,
    commitWaitMs: state.params.timeouts.commitWait,
    hasWork: (h) => mempool.size > 0 || evidence.size > 0 || future.hasFrom(h),
    later,
    start: (h) => startHeight(h),
  });
  const assembly = createProposalAssembly({
    mempoolGet: (hash) => mempool.get(hash),
    send,
    misbehave,
    later,
    onFetch: (n) => metrics.proposalTxsFetched.inc(n),
    complete: (c) => inbox.onAssembled(c),
    ...(deps.expediteTxs && { expedite: deps.expediteTxs }),
  });
  const sync = createBlockSync({
    height: () => state.height,
    store: deps.store,
    send,
    misbehave,
    now: () => performance.now(),
    log,
    busy: () => committing,
    budget,
    async applySynced(block, bytes, commit) {
      // SECURITY: a synced block is accepted only with >2/3 precommits of the set we know for it.
      const expected = { height: block.header.height, blockHash: hashBlock(block) };
      verifyCommit(commit, state.validatorSet, state.chainId, expected);
      await commitAndSwitch(block, bytes, applyBlock(state, block), commit);
    },
    onAdvanced: () => startHeight(state.height + 1n),
  });
  const inbox = createInbox({
    cs: () => cs,
    state: () => state,
    seen,
    verifiedPrecommits,
    heldBlock: (hash) => blocks.get(hash)?.block,
    future,
    sync,
    assembly,
    relay,
    send,
    misbehave,
    acceptProposal,
    acceptVote(sv) {
      if (watch.height === sv.vote.height) return onCommittedHeightVote(sv);
      wal({ type: "vote", value: sv });
      onVote(sv);
    },
    acceptEvidence(from, items) {
      for (const e of items) {
        const r = addEvidence(e, from);
        // SECURITY: evidence an honest node could not have sent (forged, not conflicting, about a stranger)
        // bans its sender; stale or early items are honest races and are only dropped.
        if (r === "forged") return misbehave(from, "invalid evidence");
      }
    },
    onLinks: (from, m) => links.onLinks(from, m),
    onHaveVotes: (from, m) => have.onHave(from, m.height, m.votes, m.proposals),
    onPastVote(from, sv) {
      const mine = have.conflicting(sv);
      // SECURITY: the pool checks both signatures; a forged vote makes forged evidence and bans its sender.
      if (mine && addEvidence(voteEvidence({ a: mine, b: sv }), from) === "forged")
        misbehave(from, "a forged vote of the last height");
    },
    logError: (obj, msg) => log.error(obj, msg),
    maxFrameBytes: deps.maxFrameBytes ?? 1 << 20,
    budget,
  });
  const outbox = createOutbox({
    state: () => state,
    lastCommit: () => lastCommit,
    signer: deps.signer,
    self: deps.self,
    mempool,
    blocks,
    own: () => own,
    seen,
    evidence: (s) => evidence.forBlock(s),
    broadcast,
    wal,
    dispatch,
    onOwnVote: onVote,
    now: deps.now,
    log,
    ...(deps.maxBlockTxs !== undefined && { maxBlockTxs: deps.maxBlockTxs }),
    ...(deps.beforePropose && { beforePropose: deps.beforePropose }),
    ...(deps.byzantine && {
      byzantine: deps.byzantine,
      peerHalf: (peer: string) => {
        const ids = transport.peers().map((p) => p.id);
        ids.sort();
        return (ids.indexOf(peer) % 2) as 0 | 1;
      },
    }),
  });

  /**
   * Puts evidence (detected here, or gossiped by `from`) in the pool; new items are published, gossiped to
   * every other peer and counted. "forged" when the item could not have come from an honest node.
   */
  function addEvidence(e: Evidence, from?: string): "added" | "dropped" | "forged" {
    const r = evidence.add(e, state);
    metrics.evidencePending.set(evidence.size);
    if (r.kind === "invalid") {
      if (from && FORGED_EVIDENCE_CODES.includes(r.error.code)) return "forged";
      log.info({ evidence: evidenceKey(e), code: r.error.code }, "evidence dropped");
      return "dropped";
    }
    if (r.kind !== "added") return "dropped";
    const k = evidenceKeyOf(e);
    const at = { height: k.height, round: k.round, kind: k.type, validator: toHex(k.validator) };
    log.warn({ ...at, height: String(k.height), from: from ?? "self" }, "evidence of equivocation");
    deps.publish({ type: "evidence", ...at, status: "pending" });
    const payload = encode(EvidenceMsgCodec, { items: [e] });
    broadcast(MSG.evidence, payload, from ? { except: from } : undefined);
    return "added";
  }

  /** Steps the engine with `event` and every event its effects produce, in FIFO order. */
  function dispatch(event: ConsensusEvent): void {
    if (halted) return;
    if (event.type === "proposal") have.noteProposal(event.proposal);
    queue.push(event);
    if (draining) return;
    draining = true;
    try {
      for (let e = queue.shift(); e; e = queue.shift()) {
        const r = step(cs, e);
        cs = r.state;
        for (const eff of r.effects) execute(eff);
      }
    } finally {
      draining = false;
    }
  }

  function execute(e: ConsensusEffect): void {
    if (replayer.hold(e)) return;
    switch (e.type) {
      case "requestValue":
        return outbox.buildProposal(e.height, e.round);
      case "propose":
        return outbox.signAndSendProposal(e.proposal);
      case "vote":
        return outbox.signAndSendVote(e.vote);
      case "scheduleTimeout": {
        const fire = () => {
          wal({ type: "timeout", value: { kind: e.kind, height: e.height, round: e.round } });
          dispatch({ type: "timeout", kind: e.kind, height: e.height, round: e.round });
        };
        // LIVENESS: the round's proposal is here (proposer and signature checked) but some of its txs are
        // still being fetched (a compact proposal's fetch costs a round trip and more on a slow link): wait
        // up to PROPOSE_EXTENSIONS more propose timeouts for them instead of prevoting nil on a block about
        // to be whole. Bounded, so a proposer naming txs nobody has costs its round at most
        // (1 + PROPOSE_EXTENSIONS) × the timeout. Timeouts never decide anything (safety unchanged), only when.
        let extensions = 0;
        const extend = () => {
          const waiting = e.kind === "propose" && assembly.awaits(e.height, e.round);
          if (!waiting || extensions >= PROPOSE_EXTENSIONS) {
            if (extensions > 0) metrics.proposeWaits.inc({ outcome: waiting ? "expired" : "whole" });
            return fire();
          }
          extensions++;
          later(e.durationMs, extend);
        };
        return later(e.durationMs, extend);
      }
      case "decide":
        void commitDecided(e.height, e.round, e.blockHash, e.commit);
        return;
      case "evidence":
        addEvidence(e.evidence);
        return;
      case "roundStep":
        metrics.round.set(e.round);
        deps.publish({ type: "roundStep", height: e.height, round: e.round, step: e.step });
        return;
    }
  }

  /** A verified vote of the current height (received, or this node's own): report it and step. */
  function onVote(sv: SignedVote): void {
    const v = sv.vote;
    metrics.votesReceived.inc({ validator: toHex(v.validator).slice(0, 10), type: v.type });
    have.noteVote(sv);
    const blockHash = v.blockHash ? toHex(v.blockHash) : null;
    const at = { height: v.height, round: v.round, voteType: v.type };
    deps.publish({ type: "vote", ...at, validator: toHex(v.validator), blockHash });
    dispatch({ type: "vote", vote: sv });
  }

  /**
   * A verified precommit of the height just committed, during the commit wait (commit-watch.ts): a late
   * one for our block extends the next block's lastCommit; a quorum for another block halts consensus.
   */
  function onCommittedHeightVote(sv: SignedVote): void {
    const r: CommitWatchResult = watch.onPrecommit(sv);
    if (r?.kind === "extended" && lastCommit?.height === r.commit.height) lastCommit = r.commit;
    if (r?.kind === "conflict")
      halt({ ...r, height: String(r.height), reason: "two commits for one height" });
  }

  /**
   * SECURITY: two blocks committed at one height means at least 1/3 of the power signed both (DESIGN.md
   * §4). Going on would build on one of two histories and sign for it; the node stops consensus for good
   * (no steps, votes, commits or sync), says so in the log, `/v1/status` and `fastpos_consensus_halted`,
   * and waits for an operator. The API keeps answering.
   */
  function halt(h: ConsensusHalt): void {
    if (halted) return;
    halted = h;
    metrics.consensusHalted.set(1);
    for (const t of timers) clearTimeout(t);
    timers.clear();
    queue.length = 0;
    log.fatal(
      { ...h, hint: "at least 1/3 of the voting power is byzantine; an operator must investigate" },
      `CONSENSUS HALTED at height ${h.height}: two commits for one height (${h.ours} and ${h.theirs})`,
    );
  }

  /** A verified proposal with its whole block: validate the block and hand it to the engine. */
  function acceptProposal(proposal: SignedProposal, block: Block, bytes: Uint8Array): void {
    const entry = blocks.validate(block, bytes);
    wal({ type: "proposal", value: { proposal, block: bytes, valid: entry.applied !== null } });
    dispatch({ type: "proposal", proposal, valid: entry.applied !== null });
  }

  async function commitAndSwitch(block: Block, bytes: Uint8Array, applied: AppliedBlock, commit: Commit) {
    const cdeps = { store: deps.store, mempool, metrics, publish: deps.publish };
    const b = { block, bytes, applied, commit, startedAt: heightStartedAt, now: performance.now() };
    state = await commitBlock(cdeps, b);
    lastCommit = commit;
    evidence.onCommitted(block.evidence, state);
    metrics.evidencePending.set(evidence.size);
    deps.onCommitted?.(state);
  }

  async function commitDecided(height: bigint, round: number, blockHash: Uint8Array, commit: Commit) {
    const entry = blocks.get(toHex(blockHash));
    if (!entry?.applied) {
      const at = { height: String(height), round };
      return log.error(at, "decided a block this node does not have; waiting for block sync");
    }
    if (committing || sync.applying || height !== state.height + 1n) return;
    committing = true;
    // Precommits arriving while the block is written already count (late ones extend the commit).
    watch.committed(commit, state.validatorSet);
    try {
      await commitAndSwitch(entry.block, entry.bytes, entry.applied, commit);
      lastCommit = watch.commit ?? commit;
      const txs = entry.block.txs.length;
      log.info(
        { height: String(height), round, txs, hash: toHex(blockHash).slice(0, 18) },
        "committed block",
      );
      idle.afterCommit(state.height + 1n, txs > 0);
    } catch (err) {
      log.error({ err: String(err) }, "commit failed");
    } finally {
      committing = false;
    }
  }

  function startHeight(height: bigint): void {
    if (halted || height !== state.height + 1n || cs.height >= height) return;
    watch.close();
    deps.wal.reset();
    deps.wal.append(encodeWalRecord({ type: "height", value: { height } }), { sync: true });
    blocks.clear();
    assembly.clear();
    own = [];
    seen.clear();
    held.clear();
    have.reset(height);
    heightStartedAt = performance.now();
    dispatch({ type: "newHeight", height, validators: state.validatorSet });
    for (const f of future.take(height)) inbox.onMessage(f.from, f.type, f.payload);
  }

  function tick(): void {
    broadcast(MSG.status, encode(StatusMsgCodec, { height: state.height }));
    for (const m of own) broadcast(m.type, m.payload, m.skip ? { skip: m.skip } : undefined);
    for (const [peer, signers] of links.tick())
      for (const s of signers) for (const m of held.get(s) ?? []) send(peer, m.type, m.payload);
    have.tick();
    metrics.peers.set(transport.peers().length);
    sync.tick();
    later(TICK_MS, tick);
  }

  /**
   * Resumes the height: replays its WAL (DESIGN.md §4) before taking any step of its own, then starts.
   * Signing the engine asks for during replay is held back; what the WAL shows as signed is not signed
   * again, and only what it does not show is signed afterwards (issue 24 item 6).
   */
  function start(): void {
    const height = state.height + 1n;
    const raw = deps.wal.records;
    let items: ReplayItem[] | null = null;
    try {
      items = planWalReplay(raw.map(decodeWalRecord), height, deps.self);
    } catch (err) {
      log.error(
        { err: String(err), records: raw.length },
        "consensus WAL unreadable: height starts without it",
      );
    }
    deps.wal.reset();
    deps.wal.append(encodeWalRecord({ type: "height", value: { height } }), { sync: true });
    for (const r of items ? raw.slice(1) : []) deps.wal.append(r);
    heightStartedAt = performance.now();
    have.reset(height);
    replayer.begin();
    let left: ReplayLeftover;
    try {
      dispatch({ type: "newHeight", height, validators: state.validatorSet });
      for (const item of items ?? []) {
        if (item.block) blocks.validate(item.block.block, item.block.bytes);
        if (item.own) own.push(item.own);
        replayer.note(item);
        dispatch(item.event);
      }
    } finally {
      left = replayer.finish();
    }
    if (items?.length) {
      const at = { height: String(height), records: items.length, truncatedBytes: deps.wal.truncatedBytes };
      log.info(at, "replayed consensus WAL");
    }
    for (const e of left.effects) execute(e);
    const v = left.value;
    if (v && cs.height === v.height && cs.round === v.round && cs.step === "propose")
      outbox.buildProposal(v.height, v.round);
    later(TICK_MS, tick);
  }

  return {
    start,
    onMessage(from: string, type: number, payload: Uint8Array) {
      if (halted) return;
      links.heard(from);
      inbox.onMessage(from, type, payload);
      idle.poke();
    },
    onTxAdmitted(hash: string, tx: Tx) {
      assembly.onTxAdmitted(hash, tx);
      // PERF (issue 22 item 3): an idle height starts on the next turn, not inside the admission: the API's
      // 202 and the tx's gossip frame go out first (a proposal sent before its tx left peers assembling it),
      // and a batch being admitted lands in one block instead of starting a height at its first tx.
      if (!pokeScheduled && idle.idle) {
        pokeScheduled = true;
        setImmediate(() => {
          pokeScheduled = false;
          if (!deps.signal.aborted && !halted) idle.poke();
        });
      }
    },
    onPeerConnected(peer: PeerInfo) {
      links.connected(peer.id, peer.validator);
      have.connected(peer.id);
      send(peer.id, MSG.status, encode(StatusMsgCodec, { height: state.height }));
      for (const m of own) if (!m.skip?.(peer.id)) send(peer.id, m.type, m.payload);
      // Pending evidence reaches peers that connect later (or restarted) too.
      const items = evidence.list();
      for (let i = 0; i < items.length; i += MAX_EVIDENCE_BATCH) {
        const batch = items.slice(i, i + MAX_EVIDENCE_BATCH);
        send(peer.id, MSG.evidence, encode(EvidenceMsgCodec, { items: batch }));
      }
    },
    onPeerDisconnected(peer: PeerInfo) {
      sync.onPeerDisconnected(peer.id);
      links.disconnected(peer.id);
      future.dropPeer(peer.id);
      budget.dropPeer(peer.id);
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
      return sync.syncing;
    },
    /** Evidence waiting for a block. */
    pendingEvidence: () => evidence.list(),
    /** Why consensus halted (two commits for one height), or null while it runs. */
    get halted(): ConsensusHalt | null {
      return halted;
    },
  };
}

export type Driver = ReturnType<typeof createDriver>;
export type { DriverDeps } from "./driver-deps.js";
