import { evidenceKeyOf } from "../core/chain/apply/evidence.js";
import type { Block } from "../core/chain/index.js";
import { indexOfValidator } from "../core/chain/validator-set.js";
import type { Proposal, SignedProposal, SignedVote, Vote } from "../core/chain/vote.js";
import { toHex } from "../core/codec/index.js";
import {
  type ConsensusEffect,
  type ConsensusEvent,
  createConsensusState,
  step as realStep,
} from "../core/consensus/index.js";
import { byzantineExtras, sendByzantine } from "./byzantine.js";
import { ChainGlue, TxLoad } from "./chain-glue.js";
import type { EngineStep, Fault, SimConfig } from "./config.js";
import { commit } from "./decide.js";
import { applyFault } from "./faults.js";
import { EventHeap } from "./heap.js";
import { History } from "./history.js";
import { claimedKey, holdersKnown, markHas, relay, route } from "./intake.js";
import { Network } from "./network.js";
import { createRng, type Rng } from "./rng.js";
import { createSigner, type SimSigner } from "./signer.js";
import { Stats } from "./stats.js";
import { applySync, requestSync, serveSync } from "./sync.js";
import type { Msg, Outgoing, Scheduled, SimNode, TraceLine, WalRecord } from "./types.js";
import { verifyPool } from "./verify-pool.js";
import { createWorld, type World } from "./world.js";

const LOAD_TICK_MS = 100;

/**
 * The deterministic simulator (DESIGN.md §1 `sim/`, issue 21): N real consensus engines (core/consensus
 * `step`) each on its own real chain state (core/chain: blocks built, re-executed before prevote,
 * committed; staking, downtime and double-sign slashing included), over a virtual clock and network.
 * Nodes keep what a real node keeps: a consensus WAL replayed on restart, a double-sign guard that survives
 * crashes, a bounded future-height buffer, an evidence pool, block sync from peers. Safety is checked at
 * every decision. One event loop, no wall clock, randomness only from the seed.
 */
export class Simulator {
  readonly world: World;
  readonly nodes: SimNode[];
  readonly stats: Stats;
  readonly glue: ChainGlue;
  readonly net: Network;
  readonly signer: SimSigner;
  readonly load: TxLoad;
  now = 0;
  private queue = new EventHeap<Scheduled>();
  readonly rng: Rng;
  private readonly engine: EngineStep;
  /** @internal */
  readonly byAddress = new Map<string, number>();
  /** Height → first decided hash anywhere; a different one later is a safety violation. */
  readonly decisions = new Map<bigint, string>();
  readonly violations: string[] = [];
  /** @internal */
  firedHeights = new Set<number>();
  /** @internal */
  trace: ((line: TraceLine) => void) | undefined;

  constructor(
    readonly config: SimConfig,
    o: { trace?: (line: TraceLine) => void; world?: World } = {},
  ) {
    this.trace = o.trace;
    this.world = o.world ?? createWorld(config);
    this.rng = createRng(config.seed);
    this.engine = config.engine ?? realStep;
    this.signer = createSigner(config.fakeSigner ? "fake" : "real", this.world.keys);
    const accounts = createSigner(
      config.fakeSigner ? "fake" : "real",
      this.world.keys.map((k) => ({ secretKey: k.accountSecret, publicKey: k.accountPublic })),
    );
    this.glue = new ChainGlue(this.world, this.signer, config.fakeSigner ? null : verifyPool(config.workers));
    this.net = new Network(config.validators, config.links, this.rng.fork("net"));
    this.load = new TxLoad(this.world, accounts, this.glue, this.rng.fork("load"), config.txRate);
    this.stats = new Stats(config.validators);
    const s0 = this.world.state0;
    this.nodes = this.world.keys.map((k, id) => {
      this.byAddress.set(k.addressHex, id);
      // The genesis set's own address object where there is one (same bytes): the engine's look-up of a
      // vote's validator then matches by identity (PERF: every node looks up every vote).
      const inSet = s0.validatorSet.validators[indexOfValidator(s0.validatorSet, k.address)];
      const address = inSet?.address ?? k.address;
      return {
        id,
        address,
        addressHex: k.addressHex,
        publicKey: k.publicKey,
        alive: true,
        incarnation: 0,
        engine: createConsensusState({
          height: 1n,
          validators: s0.validatorSet,
          self: address,
          timeouts: s0.params.timeouts,
        }),
        chain: s0,
        lastCommit: null,
        blocks: new Map(),
        history: new History(),
        wal: [],
        walHeight: 0n,
        replay: null,
        signed: new Map(),
        refused: 0,
        own: [],
        future: new Map(),
        evidence: new Map(),
        behaviours: [],
        heightStart: 0,
        relayed: new Set(),
        syncing: false,
        nextSyncAt: 0,
      };
    });
    for (const b of config.byzantine) for (const i of b.nodes) this.nodeAt(i).behaviours = b.behaviours;
  }

  nodeAt(i: number): SimNode {
    const n = this.nodes[i];
    if (!n) throw new RangeError(`no node ${i}`);
    return n;
  }

  emit(line: TraceLine): void {
    this.trace?.(line);
  }

  schedule(e: Scheduled): void {
    this.queue.push(e.at, e);
  }

  // ---- run ----

  start(): void {
    this.emit({
      type: "sim",
      at: 0,
      chainId: this.world.genesis.chainId,
      seed: this.config.seed,
      validators: this.nodes.map((n) => ({ node: `v${n.id}`, address: n.addressHex })),
    });
    for (const n of this.nodes) this.startHeight(n, 1n);
    this.schedule({ at: this.config.gossipMs, type: "gossip" });
    if (this.config.txRate > 0) this.schedule({ at: LOAD_TICK_MS, type: "load" });
    this.config.faults.forEach((f, index) => {
      if ("timeMs" in f.at) this.schedule({ at: f.at.timeMs, type: "fault", index });
    });
  }

  /** Runs until every live honest node committed `config.heights`, or the time limit; true if reached. */
  run(): boolean {
    const target = BigInt(this.config.heights);
    this.target = target;
    while (!this.doneCheck()) {
      if (this.queue.peekAt() > this.config.maxTimeMs) return false;
      const next = this.queue.pop() as Scheduled;
      this.now = Math.max(this.now, next.at);
      this.dispatch(next);
    }
    return true;
  }

  private target = 0n;
  /** Set when a commit, crash or behaviour change may have finished the run (checked then only). */
  /** @internal */
  dirty = true;

  private doneCheck(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    for (const n of this.nodes)
      if (n.alive && !n.behaviours.length && n.chain.height < this.target) return false;
    return true;
  }

  private dispatch(e: Scheduled): void {
    switch (e.type) {
      case "msg": {
        const n = this.nodeAt(e.to);
        if (!n.alive) {
          if (e.out && e.out.state[e.to] === 1) e.out.state[e.to] = 0;
          return;
        }
        if (e.out && e.out.state[e.to] !== 2) {
          e.out.state[e.to] = 2;
          e.out.pending--;
        }
        // Only relayed messages need their holders known (honest broadcasts reach everyone directly).
        if (e.out?.selective || holdersKnown(e.msg)) markHas(this, e.msg, e.to);
        route(this, n, e.msg);
        if (e.out?.selective) relay(this, n, e.msg);
        return;
      }
      case "timeout": {
        const n = this.nodeAt(e.to);
        if (n.alive && n.incarnation === e.inc) this.feed(n, { event: e.event });
        return;
      }
      case "newHeight": {
        const n = this.nodeAt(e.to);
        if (n.alive && n.incarnation === e.inc) this.startHeight(n, e.height);
        return;
      }
      case "gossip":
        this.gossip();
        this.schedule({ at: this.now + this.config.gossipMs, type: "gossip" });
        return;
      case "load":
        this.load.tick(LOAD_TICK_MS);
        this.schedule({ at: this.now + LOAD_TICK_MS, type: "load" });
        return;
      case "fault":
        applyFault(this, this.config.faults[e.index] as Fault);
        return;
      case "syncReq":
        serveSync(this, e.to, e.from, e.height);
        return;
      case "syncResp":
        applySync(this, this.nodeAt(e.to), e.items);
        return;
    }
  }

  // ---- message intake ----

  // ---- the engine ----

  /** Logs the input to the WAL, steps the engine, runs the effects. */
  feed(n: SimNode, rec: WalRecord): void {
    n.wal.push(rec);
    if (rec.block) n.blocks.set(this.glue.hashHexOf(rec.block), rec.block);
    this.stats.steps++;
    const { state, effects } = this.engine(n.engine, rec.event);
    // An input that changed nothing replays as nothing: not kept (PERF: most votes after the decision).
    if (state === n.engine && effects.length === 0 && !rec.block) {
      n.wal.pop();
      return;
    }
    n.engine = state;
    for (const e of effects) this.effect(n, e);
  }

  private effect(n: SimNode, e: ConsensusEffect): void {
    switch (e.type) {
      case "requestValue": {
        // Replaying the WAL after a restart: the block built before the crash is in it; build no other.
        if (n.replay?.some((r) => r.event.type === "valueReady" && r.event.round === e.round)) return;
        const block = this.buildFor(n, 0);
        this.feed(n, {
          event: { type: "valueReady", height: e.height, round: e.round, blockHash: this.glue.hashOf(block) },
          block,
        });
        return;
      }
      case "propose": {
        const signed = this.signProposal(n, e.proposal);
        if (!signed) return;
        this.speculate(e.proposal.height, e.proposal.round, e.proposal.blockHash);
        const block = n.blocks.get(toHex(e.proposal.blockHash)) as Block;
        const msg: Msg = {
          kind: "proposal",
          from: n.id,
          height: e.proposal.height,
          round: e.proposal.round,
          signed,
          block,
        };
        this.feed(n, { event: { type: "proposal", proposal: signed, valid: true }, block });
        this.broadcast(n, msg);
        return;
      }
      case "vote": {
        const signed = this.signVote(n, e.vote);
        if (!signed) return;
        this.feed(n, { event: { type: "vote", vote: signed } });
        this.broadcast(n, { kind: "vote", from: n.id, height: e.vote.height, round: e.vote.round, signed });
        return;
      }
      case "scheduleTimeout":
        this.schedule({
          at: this.now + e.durationMs,
          type: "timeout",
          to: n.id,
          inc: n.incarnation,
          event: { type: "timeout", kind: e.kind, height: e.height, round: e.round },
        });
        return;
      case "decide":
        commit(this, n, e.height, e.round, toHex(e.blockHash), e.commit);
        return;
      case "evidence": {
        const v = evidenceKeyOf(e.evidence);
        n.evidence.set(`${toHex(v.validator)}/${v.height}/${v.round}/${v.type}`, e.evidence);
        this.stats.evidenceSeen++;
        return;
      }
      case "roundStep":
        if (e.step === "propose") byzantineExtras(this, n, e.height, e.round);
        return;
    }
  }

  /** Builds this node's block for its current height (`salt` > 0 gives a conflicting twin). */
  buildFor(n: SimNode, salt: number): Block {
    const built = this.glue.build(n.chain, {
      txs: this.load.pool,
      timeMs: this.world.genesisMs + this.now + salt,
      proposer: n.address,
      lastCommit: n.lastCommit,
      evidence: [...n.evidence.values()],
    });
    if (built.rejected.length) {
      this.stats.txRejected += built.rejected.length;
      this.load.remove(built.rejected.map((r) => this.load.pool[r.index]).filter((t) => t !== undefined));
    }
    for (const r of built.rejectedEvidence) {
      if (r.error.code === "EVIDENCE_FUTURE") continue;
      const v = evidenceKeyOf(r.evidence);
      n.evidence.delete(`${toHex(v.validator)}/${v.height}/${v.round}/${v.type}`);
    }
    n.blocks.set(toHex(built.hash), built.block);
    return built.block;
  }

  // ---- signing: the double-sign guard (DESIGN.md §4), persisted across crashes ----

  /** The honest validators' votes for a new proposal, signed in advance on the pool (verify-pool.ts). */
  private speculate(height: bigint, round: number, blockHash: Uint8Array): void {
    if (!this.glue.pool) return;
    const voters = this.nodes
      .filter((m) => m.alive && !m.behaviours.length)
      .map((m) => ({ ...(this.world.keys[m.id] as World["keys"][number]), id: m.id }));
    this.glue.speculate(voters, height, round, blockHash);
  }

  private guard(n: SimNode, key: string, value: string, bytes: Uint8Array, vote?: Vote): Uint8Array | null {
    const prev = n.signed.get(key);
    if (prev) {
      if (prev.value === value) return prev.signature;
      n.refused++;
      return null;
    }
    const signature =
      (vote && this.glue.takeSpeculative(n.id, n.publicKey, vote, bytes)) ?? this.signer.sign(n.id, bytes);
    this.stats.signatures++;
    n.signed.set(key, { value, signature });
    return signature;
  }

  signVote(n: SimNode, vote: Vote, bypassGuard = false): SignedVote | null {
    const value = vote.blockHash ? toHex(vote.blockHash) : "nil";
    const bytes = this.glue.signBytesOf({ vote, signature: new Uint8Array(64) });
    if (bypassGuard) {
      this.stats.signatures++;
      return { vote, signature: this.signer.sign(n.id, bytes) };
    }
    const sig = this.guard(n, `${vote.height}/${vote.round}/${vote.type}`, value, bytes, vote);
    return sig ? { vote, signature: sig } : null;
  }

  signProposal(n: SimNode, proposal: Proposal, bypassGuard = false): SignedProposal | null {
    const bytes = this.glue.signBytesOf({ proposal, signature: new Uint8Array(64) });
    if (bypassGuard) {
      this.stats.signatures++;
      return { proposal, signature: this.signer.sign(n.id, bytes) };
    }
    const sig = this.guard(
      n,
      `${proposal.height}/${proposal.round}/proposal`,
      toHex(proposal.blockHash),
      bytes,
    );
    return sig ? { proposal, signature: sig } : null;
  }

  // ---- sending ----

  /** Sends an own message to every peer and keeps it for gossip re-sends; byzantine nodes twist it. */
  broadcast(n: SimNode, msg: Msg): void {
    if (n.behaviours.length && sendByzantine(this, n, msg)) return;
    this.send(n, msg, 0);
  }

  send(n: SimNode, msg: Msg, delayMs: number, skip?: (peer: number) => boolean, selective = false): Outgoing {
    const size = this.nodes.length;
    const out: Outgoing = {
      msg,
      state: new Uint8Array(size),
      pending: size - 1,
      delayMs,
      ...(skip ? { skip } : {}),
      ...(selective ? { selective } : {}),
    };
    out.state[n.id] = 2;
    if (skip) {
      for (let p = 0; p < size; p++) {
        if (p !== n.id && skip(p)) {
          out.state[p] = 2;
          out.pending--;
        }
      }
    }
    n.own.push(out);
    this.glue.prefetch(msg.signed, claimedKey(this, msg));
    for (let p = 0; p < size; p++) if (out.state[p] === 0) this.sendTo(n.id, out, p);
    return out;
  }

  private sendTo(from: number, out: Outgoing, p: number): void {
    const d = this.net.sample(from, p);
    const again = this.net.duplicateDelay;
    this.stats.countSend(out.msg);
    if (d < 0) {
      this.stats.lost++;
      return;
    }
    out.state[p] = 1;
    this.schedule({ at: this.now + d + out.delayMs, type: "msg", to: p, out, msg: out.msg });
    if (again >= 0)
      this.schedule({ at: this.now + again + out.delayMs, type: "msg", to: p, out, msg: out.msg });
  }

  /** Gossip tick: own messages of the current height are re-sent to peers that have not got them. */
  private gossip(): void {
    for (const n of this.nodes) {
      if (!n.alive) continue;
      // Peers sent messages of later heights: they have blocks this node lacks (a lost precommit is never
      // re-sent once its author moved on, so without this a node could wait for ever).
      for (const [peer, list] of n.future) {
        if (list.some((m) => m.height > n.chain.height + 1n)) {
          requestSync(this, n, peer);
          break;
        }
      }
      for (const out of n.own) {
        if (out.pending === 0) continue;
        for (let p = 0; p < this.nodes.length; p++) {
          if (out.state[p] === 0) {
            this.stats.resent++;
            this.sendTo(n.id, out, p);
          }
        }
      }
    }
  }

  // ---- heights, commits, sync ----

  startHeight(n: SimNode, height: bigint): void {
    const { state, effects } = this.engine(n.engine, {
      type: "newHeight",
      height,
      validators: n.chain.validatorSet,
    });
    if (effects.length === 0) return; // a stale newHeight
    n.wal = [];
    n.walHeight = height;
    // The guard only ever needs the current height (the engine never signs for a past one); older entries
    // would keep every signature of the run alive. Keys are "height/round/kind".
    for (const key of n.signed.keys())
      if (BigInt(key.slice(0, key.indexOf("/"))) < height) n.signed.delete(key);
    n.own = [];
    n.relayed = new Set();
    n.blocks = new Map();
    n.heightStart = this.now;
    n.engine = state;
    this.stats.steps++;
    for (const e of effects) this.effect(n, e);
    const buffered: Msg[] = [];
    for (const list of n.future.values()) buffered.push(...list);
    n.future = new Map();
    for (const m of buffered) {
      if (m.height === height) route(this, n, m);
      else if (m.height > height) {
        const list = n.future.get(m.from) ?? [];
        n.future.set(m.from, list);
        list.push(m);
      }
    }
    byzantineExtras(this, n, height, -1);
  }

  violation(text: string): void {
    this.violations.push(text);
    this.emit({ type: "violation", at: this.now, text });
  }

  // ---- faults ----
}

export type { ConsensusEvent };
