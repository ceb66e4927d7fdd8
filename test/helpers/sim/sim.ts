import { PRESETS } from "../../../src/core/chain/params.js";
import {
  advanceHeight,
  createValidatorSet,
  type ValidatorSet,
} from "../../../src/core/chain/validator-set.js";
import type { SignedProposal, SignedVote, Vote } from "../../../src/core/chain/vote.js";
import { toHex } from "../../../src/core/codec/index.js";
import {
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  createConsensusState,
  step,
} from "../../../src/core/consensus/index.js";
import { sha256 } from "../../../src/core/crypto/index.js";

/**
 * Deterministic in-process network of consensus engines: a virtual clock, a seeded PRNG deciding message
 * delay, drop, duplication (and so reordering), crash/restart and partitions. Signatures are not modelled
 * (the engine trusts its driver for them); the double-sign guard is: a node never emits two different
 * votes or proposals for one (height, round, type) — unless it is configured byzantine.
 */
export interface NetConfig {
  minDelay: number;
  maxDelay: number;
  drop: number;
  duplicate: number;
}

interface Node {
  id: number;
  address: Uint8Array;
  state: ConsensusState;
  alive: boolean;
  byzantine: boolean;
  decided: Map<bigint, string>;
  signed: Map<string, string>;
  future: ConsensusEvent[];
  evidence: number;
  /** Own signed messages of the current height, re-sent on every gossip tick. */
  own: ConsensusEvent[];
  /** Messages already relayed (gossip forwards each message once). */
  seen: Set<string>;
  /** Consensus WAL: every input event of the current height, replayed after a crash. */
  wal: ConsensusEvent[];
  /** The height the WAL belongs to. */
  walHeight: bigint;
  /** Signatures the double-sign guard refused (must stay 0 for honest nodes with a WAL). */
  refused: number;
}

interface Scheduled {
  at: number;
  seq: number;
  to: number;
  event: ConsensusEvent;
}

/** xorshift32: tiny, seedable, deterministic (tests only). */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const SIG = new Uint8Array(64);
const TICK: ConsensusEvent = { type: "timeout", kind: "propose", height: -1n, round: -1 };

export class Sim {
  nodes: Node[];
  now = 0;
  private queue: Scheduled[] = [];
  private seq = 0;
  private rand: () => number;
  /** Height → first decided hash anywhere; a second, different hash is a safety violation. */
  readonly decisions = new Map<bigint, string>();
  violations: string[] = [];
  /** Pairs of nodes that cannot talk (partition). */
  private cut = new Set<string>();
  sets = new Map<bigint, ValidatorSet>();
  private readonly commitWait = 20;

  constructor(
    readonly opts: {
      n: number;
      seed: number;
      net?: Partial<NetConfig>;
      powers?: bigint[];
      workWeights?: bigint[];
      invalidProposalsFrom?: number[];
      /** Validator `index` leaves the set after height `height` (an epoch boundary). */
      leaveAt?: { height: bigint; index: number };
    },
  ) {
    this.rand = rng(opts.seed);
    const infos = Array.from({ length: opts.n }, (_, i) => ({
      address: sha256(new Uint8Array([i, 1])).slice(0, 20),
      publicKey: sha256(new Uint8Array([i, 2])),
      power: opts.powers?.[i] ?? 10n,
      workWeight: opts.workWeights?.[i] ?? 10_000n,
    }));
    const set = createValidatorSet(infos);
    this.sets.set(1n, set);
    this.nodes = infos.map((info, id) => ({
      id,
      address: info.address,
      state: createConsensusState({
        height: 1n,
        validators: set,
        self: info.address,
        timeouts: PRESETS.dev.timeouts,
      }),
      alive: true,
      byzantine: false,
      decided: new Map(),
      signed: new Map(),
      future: [],
      evidence: 0,
      own: [],
      seen: new Set(),
      wal: [],
      walHeight: 0n,
      refused: 0,
    }));
  }

  get net(): NetConfig {
    return { minDelay: 1, maxDelay: 30, drop: 0, duplicate: 0, ...this.opts.net };
  }

  setFor(height: bigint): ValidatorSet {
    let s = this.sets.get(height);
    if (!s) {
      const prev = this.setFor(height - 1n);
      const leave = this.opts.leaveAt;
      if (leave && height === leave.height + 1n) {
        const gone = toHex((this.nodes[leave.index] as Node).address);
        const keep = prev.validators
          .map((v, i) => [v, prev.priorities[i] as bigint] as const)
          .filter(([v]) => toHex(v.address) !== gone);
        const next = createValidatorSet(keep.map(([v]) => v));
        s = advanceHeight({ ...next, priorities: keep.map(([, p]) => p) });
      } else s = advanceHeight(prev);
      this.sets.set(height, s);
    }
    return s;
  }

  start(): void {
    for (const n of this.nodes)
      this.deliver(n, { type: "newHeight", height: 1n, validators: this.setFor(1n) });
    this.queue.push({ at: this.now + this.gossipEvery, seq: this.seq++, to: -1, event: TICK });
  }

  /** Gossip tick: every live node re-sends its own messages of its current height (lost ones get through). */
  private readonly gossipEvery = 250;
  private tick(): void {
    for (const n of this.nodes) {
      if (!n.alive) continue;
      for (const ev of n.own) this.broadcast(n.id, ev);
    }
    this.queue.push({ at: this.now + this.gossipEvery, seq: this.seq++, to: -1, event: TICK });
  }

  /** Relays a peer's message once, like a gossip reactor. */
  private relay(n: Node, event: ConsensusEvent): void {
    let key: string;
    if (event.type === "vote") {
      const v = event.vote.vote;
      key = `v/${toHex(v.validator)}/${v.height}/${v.round}/${v.type}/${v.blockHash ? toHex(v.blockHash) : "nil"}`;
    } else if (event.type === "proposal") {
      const p = event.proposal.proposal;
      key = `p/${p.height}/${p.round}/${toHex(p.blockHash)}`;
    } else return;
    if (n.seen.has(key)) return;
    n.seen.add(key);
    this.broadcast(n.id, event);
  }

  private enqueue(to: number, event: ConsensusEvent, delay: number): void {
    this.queue.push({ at: this.now + delay, seq: this.seq++, to, event });
  }

  private broadcast(from: number, event: ConsensusEvent): void {
    const net = this.net;
    for (const n of this.nodes) {
      if (n.id === from) continue;
      if (this.cut.has(`${from}-${n.id}`)) continue;
      if (this.rand() < net.drop) continue;
      const copies = this.rand() < net.duplicate ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        this.enqueue(n.id, event, net.minDelay + Math.floor(this.rand() * (net.maxDelay - net.minDelay + 1)));
      }
    }
  }

  /** Feeds an event to a node and runs its effects. */
  deliver(n: Node, event: ConsensusEvent, fromPeer = false): void {
    if (!n.alive) return;
    if (event.type === "newHeight") {
      this.startHeight(n, event.height);
      return;
    }
    if (fromPeer) this.relay(n, event);
    const h =
      "height" in event
        ? event.height
        : "proposal" in event
          ? event.proposal.proposal.height
          : event.vote.vote.height;
    if (h > n.state.height) {
      this.catchUp(n);
      if (h > n.state.height) {
        if (n.future.length < 10_000) n.future.push(event);
        return;
      }
    }
    // Log exactly what the engine consumes, right before it does (after any height change), including
    // what it generates during a replay; otherwise a later crash would replay less than it had acted on.
    n.wal.push(event);
    const { state, effects } = step(n.state, event);
    n.state = state;
    for (const e of effects) this.effect(n, e);
  }

  /** Block sync: a node behind adopts decisions others already committed (with their commits). */
  private catchUp(n: Node): void {
    for (;;) {
      const hash = this.decisions.get(n.state.height);
      if (!hash) return;
      n.decided.set(n.state.height, hash);
      this.startHeight(n, n.state.height + 1n);
    }
  }

  private startHeight(n: Node, height: bigint): void {
    const { state, effects } = step(n.state, { type: "newHeight", height, validators: this.setFor(height) });
    if (effects.length === 0) return; // the engine ignored a stale newHeight
    n.wal = [];
    n.walHeight = height;
    n.own = [];
    n.seen.clear();
    n.state = state;
    for (const e of effects) this.effect(n, e);
    const buffered = n.future;
    n.future = [];
    for (const ev of buffered) this.deliver(n, ev);
  }

  private effect(n: Node, e: ConsensusEffect): void {
    switch (e.type) {
      case "requestValue": {
        const hash = sha256(new TextEncoder().encode(`${this.opts.seed}/${e.height}/${e.round}/${n.id}`));
        this.deliver(n, { type: "valueReady", height: e.height, round: e.round, blockHash: hash });
        break;
      }
      case "propose": {
        const key = `${e.proposal.height}/${e.proposal.round}/proposal`;
        const value = toHex(e.proposal.blockHash);
        if (n.signed.has(key) && n.signed.get(key) !== value && !n.byzantine)
          throw new Error(`double proposal ${key} ${n.signed.get(key)} vs ${value}`);
        n.signed.set(key, value);
        const signed: SignedProposal = { proposal: e.proposal, signature: SIG };
        const valid = !this.opts.invalidProposalsFrom?.includes(n.id);
        this.deliver(n, { type: "proposal", proposal: signed, valid: true });
        n.own.push({ type: "proposal", proposal: signed, valid });
        this.broadcast(n.id, { type: "proposal", proposal: signed, valid });
        break;
      }
      case "vote":
        this.castVote(n, e.vote);
        break;
      case "scheduleTimeout":
        this.enqueue(n.id, { type: "timeout", kind: e.kind, height: e.height, round: e.round }, e.durationMs);
        break;
      case "decide": {
        const hash = toHex(e.blockHash);
        n.decided.set(e.height, hash);
        const prev = this.decisions.get(e.height);
        if (prev === undefined) this.decisions.set(e.height, hash);
        else if (prev !== hash) this.violations.push(`height ${e.height}: ${prev} vs ${hash} (node ${n.id})`);
        const signers = e.commit.signatures.length;
        const setSize = this.setFor(e.height).validators.length;
        if (signers * 3 <= setSize * 2 && !this.opts.powers)
          this.violations.push(`weak commit at ${e.height}`);
        this.queue.push({
          at: this.now + this.commitWait,
          seq: this.seq++,
          to: n.id,
          event: { type: "newHeight", height: e.height + 1n, validators: this.setFor(e.height + 1n) },
        });
        break;
      }
      case "evidence":
        n.evidence++;
        break;
      case "roundStep":
        break;
    }
  }

  private castVote(n: Node, vote: Vote): void {
    const key = `${vote.height}/${vote.round}/${vote.type}`;
    const value = vote.blockHash ? toHex(vote.blockHash) : "nil";
    const prev = n.signed.get(key);
    if (prev !== undefined && prev !== value) {
      n.refused++; // the signer refuses: nothing is signed or sent
      return;
    }
    n.signed.set(key, value);
    const signed: SignedVote = { vote, signature: SIG };
    this.deliver(n, { type: "vote", vote: signed });
    if (n.byzantine && vote.type === "prevote") {
      // Equivocate: half the peers get a prevote for a different (fake) block.
      const other: SignedVote = {
        vote: { ...vote, blockHash: sha256(new Uint8Array([9, Number(vote.height & 255n)])) },
        signature: SIG,
      };
      for (const m of this.nodes) {
        if (m.id === n.id) continue;
        const ev: ConsensusEvent = { type: "vote", vote: m.id % 2 === 0 ? signed : other };
        this.enqueue(m.id, ev, 1 + Math.floor(this.rand() * this.net.maxDelay));
      }
      return;
    }
    n.own.push({ type: "vote", vote: signed });
    this.broadcast(n.id, { type: "vote", vote: signed });
  }

  crash(id: number): void {
    (this.nodes[id] as Node).alive = false;
  }

  /** Restart from nothing but the chain: catch up by sync, then join the current height. */
  restart(id: number): void {
    const n = this.nodes[id] as Node;
    n.alive = true;
    n.future = [];
    let height = 1n;
    while (this.decisions.has(height)) {
      n.decided.set(height, this.decisions.get(height) as string);
      height++;
    }
    const wal = n.wal;
    const walHeight = n.walHeight;
    n.state = createConsensusState({
      height,
      validators: this.setFor(height),
      self: n.address,
      timeouts: PRESETS.dev.timeouts,
    });
    // The double-sign guard survives the crash (it is on disk): n.signed is kept.
    this.startHeight(n, height);
    // Replay the WAL of this height (inputs, own votes included) so locks are remembered (no amnesia).
    if (walHeight === height) for (const ev of wal) this.deliver(n, ev);
  }

  partition(a: number[], b: number[]): void {
    for (const x of a)
      for (const y of b) {
        this.cut.add(`${x}-${y}`);
        this.cut.add(`${y}-${x}`);
      }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Runs until every live node decided `height`, or virtual time passes `maxTime`. */
  runUntil(o: { height: bigint; maxTime: number }): boolean {
    const done = () => this.nodes.every((n) => !n.alive || n.decided.has(o.height));
    while (!done()) {
      if (this.queue.length === 0 || this.now > o.maxTime) return false;
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) {
        const q = this.queue[i] as Scheduled;
        const b = this.queue[best] as Scheduled;
        if (q.at < b.at || (q.at === b.at && q.seq < b.seq)) best = i;
      }
      const next = this.queue.splice(best, 1)[0] as Scheduled;
      this.now = Math.max(this.now, next.at);
      if (next.to === -1) this.tick();
      else
        this.deliver(
          this.nodes[next.to] as Node,
          next.event,
          next.event.type === "vote" || next.event.type === "proposal",
        );
    }
    return true;
  }

  maxDecided(): bigint {
    let m = 0n;
    for (const h of this.decisions.keys()) if (h > m) m = h;
    return m;
  }
}
