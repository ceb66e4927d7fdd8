import type { Timeouts } from "../chain/params.js";
import { isOneThird, isQuorum, proposerFor, type ValidatorSet } from "../chain/validator-set.js";
import {
  type Commit,
  ProposalCodec,
  proposalEvidence,
  type SignedVote,
  type VoteType,
  voteEvidence,
} from "../chain/vote.js";
import { bytesEqual, encode, fromHex, toHex } from "../codec/index.js";
import { Rounds } from "./rounds.js";
import type {
  ConsensusEffect,
  ConsensusEvent,
  ConsensusState,
  RoundState,
  Step,
  TimeoutKind,
} from "./types.js";
import {
  addVote,
  addVoteAt,
  emptyVoteSet,
  NIL,
  powerFor,
  quorumValue,
  type VoteSet,
  validatorIndex,
  valueKey,
  voteAt,
} from "./vote-set.js";

/**
 * Tendermint consensus as a pure state machine: `step(state, event) → {state, effects}` (DESIGN.md §4).
 * It implements Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic,
 * arXiv:1807.04938); each rule below names the paper's line. Values are block hashes (0x-hex); valid(v)
 * comes with the proposal event. Quorums are integer comparisons: 2f+1 ≡ 3·power > 2·total,
 * f+1 ≡ 3·power > total.
 *
 * Messages for other heights are ignored here: the driver buffers future-height messages (bounded per
 * peer) and replays them after `newHeight`.
 */

/** The last value decoded by `valueBytes`, and its bytes. */
let lastValue = "";
let lastBytes: Uint8Array = new Uint8Array(32);

/**
 * The block hash of a value key (0x-hex), one shared array per value: every validator's votes and commit
 * for a block carry the same bytes, as values (never written to). PERF: at 100 validators every node
 * decoded each value four times per height, and each fresh array then missed the by-identity hex cache of
 * every node that tallied the vote.
 */
function valueBytes(value: string): Uint8Array {
  if (value !== lastValue) {
    lastBytes = fromHex(value, 32);
    lastValue = value;
  }
  return lastBytes;
}

/** Rounds further ahead than this are ignored: bounds memory against a validator spamming rounds. */
export const MAX_ROUND_AHEAD = 100;

/** The paper's timeoutPropose/Prevote/Precommit(round): base + round·delta (ms). */
export function timeoutFor(t: Timeouts, kind: TimeoutKind, round: number): number {
  const [base, delta] =
    kind === "propose"
      ? [t.proposeBase, t.proposeDelta]
      : kind === "prevote"
        ? [t.prevoteBase, t.prevoteDelta]
        : [t.precommitBase, t.precommitDelta];
  return base + round * delta;
}

/** Key of a first-time rule (paper line 34, 36 or 47) in a round, in `ConsensusState.fired`. */
export function ruleId(line: 34 | 36 | 47, round: number): number {
  return round * 100 + line;
}

/** A fresh engine, idle until the first `newHeight` event. */
export function createConsensusState(o: {
  height: bigint;
  validators: ValidatorSet;
  self: Uint8Array | null;
  timeouts: Timeouts;
}): ConsensusState {
  return {
    height: o.height,
    round: 0,
    step: "commit",
    validators: o.validators,
    self: o.self,
    timeouts: o.timeouts,
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    rounds: Rounds.EMPTY,
    fired: new Set(),
    decided: null,
    reported: new Set(),
  };
}

type MutableState = { -readonly [K in keyof ConsensusState]: ConsensusState[K] };

function copyState(
  s: ConsensusState,
  rounds: ReadonlyMap<number, RoundState>,
  fired: ReadonlySet<number>,
  reported: ReadonlySet<string>,
): MutableState {
  return {
    height: s.height,
    round: s.round,
    step: s.step,
    validators: s.validators,
    self: s.self,
    timeouts: s.timeouts,
    lockedValue: s.lockedValue,
    lockedRound: s.lockedRound,
    validValue: s.validValue,
    validRound: s.validRound,
    rounds,
    fired,
    reported,
    decided: s.decided,
  };
}

/**
 * Mutable working copy for one `step`; the input state is never modified. PERF: `fired` and `reported`
 * change a few times per height, so they are copied on first write only.
 */
class Draft {
  s: MutableState;
  private firedOwn: Set<number> | null = null;
  private reportedOwn: Set<string> | null = null;
  effects: ConsensusEffect[] = [];
  /** The rounds: the input state's arrays until the first write, then copies of this draft's own. */
  private roundKeys: number[];
  private roundValues: RoundState[];
  private roundsOwn = false;
  private readonly input: Rounds;

  constructor(state: ConsensusState) {
    // PERF: explicit literals (not spreads) keep one hidden class for every state object.
    this.s = copyState(state, state.rounds, state.fired, state.reported);
    this.input = Rounds.from(state.rounds);
    this.roundKeys = this.input.keyList as number[];
    this.roundValues = this.input.valueList as RoundState[];
  }

  /** Round `r`'s state, if the height has seen it. */
  round(r: number): RoundState | undefined {
    const i = this.roundKeys.indexOf(r);
    return i < 0 ? undefined : this.roundValues[i];
  }

  /** How many rounds the height has seen; `roundAt(i)` / `roundKey(i)` read them in first-seen order. */
  get roundCount(): number {
    return this.roundKeys.length;
  }

  roundKey(i: number): number {
    return this.roundKeys[i] as number;
  }

  roundAt(i: number): RoundState {
    return this.roundValues[i] as RoundState;
  }

  /** Replaces (or adds) a round's state; the input state's rounds are copied on the first write. */
  setRound(r: number, rs: RoundState): void {
    if (!this.roundsOwn) {
      this.roundKeys = this.roundKeys.slice();
      this.roundValues = this.roundValues.slice();
      this.roundsOwn = true;
    }
    const i = this.roundKeys.indexOf(r);
    if (i >= 0) this.roundValues[i] = rs;
    else {
      this.roundKeys.push(r);
      this.roundValues.push(rs);
    }
  }

  /** A new height: no rounds yet. */
  resetRounds(): void {
    this.roundKeys = [];
    this.roundValues = [];
    this.roundsOwn = true;
  }

  hasFired(rule: number): boolean {
    return (this.firedOwn ?? this.s.fired).has(rule);
  }

  fire(rule: number): void {
    this.firedOwn ??= new Set(this.s.fired);
    this.firedOwn.add(rule);
  }

  wasReported(id: string): boolean {
    return (this.reportedOwn ?? this.s.reported).has(id);
  }

  report(id: string): void {
    this.reportedOwn ??= new Set(this.s.reported);
    this.reportedOwn.add(id);
  }

  /** A new height: fresh rule flags and reports. */
  resetFlags(): void {
    this.firedOwn = new Set();
    this.reportedOwn = new Set();
  }

  finish(): { state: ConsensusState; effects: ConsensusEffect[] } {
    // `s` is already a fresh object of its own (the constructor's copy): finish it in place.
    this.s.rounds = this.roundsOwn ? Rounds.of(this.roundKeys, this.roundValues) : this.input;
    this.s.fired = this.firedOwn ?? this.s.fired;
    this.s.reported = this.reportedOwn ?? this.s.reported;
    return {
      state: this.s,
      effects: this.effects,
    };
  }

  roundState(r: number): RoundState {
    let rs = this.round(r);
    if (!rs) {
      const n = this.s.validators.validators.length;
      rs = { prevotes: emptyVoteSet(n), precommits: emptyVoteSet(n) };
      this.setRound(r, rs);
    }
    return rs;
  }

  get total(): bigint {
    return this.s.validators.totalPower;
  }

  isProposer(round: number): boolean {
    const self = this.s.self;
    if (!self) return false;
    return bytesEqual(proposerFor(this.s.validators, round).address, self);
  }

  setStep(step: Step): void {
    this.s.step = step;
    this.effects.push({ type: "roundStep", height: this.s.height, round: this.s.round, step });
  }

  /** Emits our vote (the driver signs it through the double-sign guard and feeds it back). */
  vote(type: VoteType, value: string | null): void {
    if (!this.s.self) return;
    const blockHash = value === null || value === NIL ? null : valueBytes(value);
    this.effects.push({
      type: "vote",
      vote: { type, height: this.s.height, round: this.s.round, blockHash, validator: this.s.self },
    });
  }

  schedule(kind: TimeoutKind, round: number): void {
    this.effects.push({
      type: "scheduleTimeout",
      kind,
      height: this.s.height,
      round,
      durationMs: timeoutFor(this.s.timeouts, kind, round),
    });
  }

  propose(round: number, value: string): void {
    if (!this.s.self) return;
    this.effects.push({
      type: "propose",
      proposal: {
        height: this.s.height,
        round,
        polRound: this.s.validRound >= 0 ? this.s.validRound : null,
        blockHash: valueBytes(value),
        proposer: this.s.self,
      },
    });
  }
}

/** Lines 11–21 StartRound(round): the proposer proposes validValue or asks for a new value. */
function startRound(d: Draft, round: number): void {
  d.s.round = round;
  d.setStep("propose");
  if (d.isProposer(round)) {
    if (d.s.validValue !== null) d.propose(round, d.s.validValue);
    else d.effects.push({ type: "requestValue", height: d.s.height, round });
  }
  // Line 21 schedules this for non-proposers; we also do it for the proposer, so a proposer that fails to
  // build a block (or crashes mid-round) does not stall the round (as CometBFT does).
  d.schedule("propose", round);
}

function onNewHeight(d: Draft, height: bigint, validators: ValidatorSet): void {
  d.s.height = height;
  d.s.validators = validators;
  d.s.lockedValue = null;
  d.s.lockedRound = -1;
  d.s.validValue = null;
  d.s.validRound = -1;
  d.s.decided = null;
  d.resetRounds();
  d.resetFlags();
  startRound(d, 0);
}

function onProposal(d: Draft, ev: Extract<ConsensusEvent, { type: "proposal" }>): void {
  const p = ev.proposal.proposal;
  if (p.height !== d.s.height || p.round > d.s.round + MAX_ROUND_AHEAD) return;
  if (p.polRound !== null && p.polRound >= p.round) return; // line 28 needs vr < r
  if (!bytesEqual(proposerFor(d.s.validators, p.round).address, p.proposer)) return; // only proposer(h, r)
  const rs = d.roundState(p.round);
  if (rs.proposal) {
    // The first proposal per round wins; a different second one is equivocation: reported, not used.
    const first = rs.proposal.signed;
    const same = bytesEqual(encode(ProposalCodec, first.proposal), encode(ProposalCodec, p));
    const id = `${toHex(p.proposer)}/${p.round}/proposal`;
    if (!same && !d.wasReported(id)) {
      d.report(id);
      d.effects.push({ type: "evidence", evidence: proposalEvidence({ a: first, b: ev.proposal }) });
    }
    return;
  }
  d.setRound(p.round, {
    ...rs,
    proposal: { signed: ev.proposal, valid: ev.valid, value: toHex(p.blockHash) },
  });
}

/**
 * Counts a vote. Returns whether an upon-rule may have become enabled: every rule's vote condition is a
 * power threshold (2f+1 of all votes or of one value in a round, f+1 in a later round), so a vote that
 * crosses none of them, in a round not ahead of ours, cannot enable a rule that was not already enabled
 * (and none was: `step` runs the rules to a fixpoint). PERF: this skips the rules for most votes.
 */
function onVote(d: Draft, sv: SignedVote, index: number): boolean {
  const v = sv.vote;
  if (v.height !== d.s.height || v.round > d.s.round + MAX_ROUND_AHEAD) return false;
  const rs = d.roundState(v.round);
  const which = v.type === "prevote" ? "prevotes" : "precommits";
  const before = rs[which];
  const key = valueKey(v.blockHash);
  const keyBefore = powerFor(before, key); // before adding: `before` is then no longer the newest version
  const res =
    index >= 0 ? addVoteAt(before, d.s.validators, index, sv, key) : addVote(before, d.s.validators, sv);
  if (res.kind === "added") {
    d.setRound(
      v.round,
      which === "prevotes"
        ? { proposal: rs.proposal, prevotes: res.set, precommits: rs.precommits }
        : { proposal: rs.proposal, prevotes: rs.prevotes, precommits: res.set },
    );
    if (v.round > d.s.round) return true;
    const total = d.total;
    return (
      (!isQuorum(before.total, total) && isQuorum(res.set.total, total)) ||
      (!isQuorum(keyBefore, total) && isQuorum(powerFor(res.set, key), total))
    );
  }
  if (res.kind === "conflict") {
    const id = `${toHex(v.validator)}/${v.round}/${v.type}`;
    if (!d.wasReported(id)) {
      d.report(id);
      d.effects.push({ type: "evidence", evidence: voteEvidence(res.evidence) });
    }
  }
  return false;
}

function proposalValue(rs: RoundState | undefined): string | undefined {
  return rs?.proposal?.value;
}

function commitFor(d: Draft, round: number, value: string): Commit {
  const set = (d.round(round) as RoundState).precommits;
  // In validator order (the set's address order), whatever order the votes came in.
  const signatures: Commit["signatures"] = [];
  for (let i = 0; i < d.s.validators.validators.length; i++) {
    const sv = voteAt(set, i);
    if (sv && valueKey(sv.vote.blockHash) === value)
      signatures.push({ validator: sv.vote.validator, signature: sv.signature });
  }
  return { height: d.s.height, round, blockHash: valueBytes(value), signatures };
}

/** One pass over the upon-rules; returns true if any rule fired (the caller loops to a fixpoint). */
function applyRules(d: Draft): boolean {
  if (d.s.step === "commit") return false;
  const r = d.s.round;
  const rs = d.round(r);
  const v = proposalValue(rs);
  const valid = rs?.proposal?.valid ?? false;
  const pol = rs?.proposal?.signed.proposal.polRound ?? null;

  // Lines 49–54: upon ⟨PROPOSAL, h, r', v, ∗⟩ ∧ 2f+1 ⟨PRECOMMIT, h, r', id(v)⟩ while decision = nil: decide.
  for (let i = 0; i < d.roundCount; i++) {
    const rr = d.roundKey(i);
    const st = d.roundAt(i);
    const pv = proposalValue(st);
    if (pv && st.proposal?.valid && isQuorum(powerFor(st.precommits, pv), d.total)) {
      d.s.decided = { round: rr, blockHash: pv };
      d.setStep("commit");
      d.effects.push({
        type: "decide",
        height: d.s.height,
        round: rr,
        blockHash: valueBytes(pv),
        commit: commitFor(d, rr, pv),
      });
      return true;
    }
  }

  // Lines 55–56: upon f+1 ⟨∗, h, r', ∗⟩ with r' > round: StartRound(r').
  for (let i = 0; i < d.roundCount; i++) {
    const rr = d.roundKey(i);
    const st = d.roundAt(i);
    if (rr <= r) continue;
    if (!isOneThird(st.prevotes.total + st.precommits.total, d.total)) continue; // an upper bound
    let power = 0n;
    d.s.validators.validators.forEach((val, i) => {
      if (voteAt(st.prevotes, i) || voteAt(st.precommits, i)) power += val.power;
    });
    if (isOneThird(power, d.total)) {
      startRound(d, rr);
      return true;
    }
  }

  if (d.s.step === "propose" && v !== undefined) {
    // Lines 22–27: ⟨PROPOSAL, h, r, v, −1⟩ while step = propose.
    if (pol === null) {
      const ok = valid && (d.s.lockedRound === -1 || d.s.lockedValue === v);
      d.vote("prevote", ok ? v : null);
      d.setStep("prevote");
      return true;
    }
    // Lines 28–33: ⟨PROPOSAL, h, r, v, vr⟩ ∧ 2f+1 ⟨PREVOTE, h, vr, id(v)⟩ while step = propose ∧ 0 ≤ vr < r.
    if (pol < r && isQuorum(powerFor(d.round(pol)?.prevotes, v), d.total)) {
      const ok = valid && (d.s.lockedRound <= pol || d.s.lockedValue === v);
      d.vote("prevote", ok ? v : null);
      d.setStep("prevote");
      return true;
    }
  }

  const prevotes: VoteSet | undefined = rs?.prevotes;
  // Lines 34–35: 2f+1 ⟨PREVOTE, h, r, ∗⟩ while step = prevote, for the first time: schedule timeout.
  if (d.s.step === "prevote" && isQuorum(prevotes?.total ?? 0n, d.total) && !d.hasFired(ruleId(34, r))) {
    d.fire(ruleId(34, r));
    d.schedule("prevote", r);
    return true;
  }

  // Lines 36–43: ⟨PROPOSAL, h, r, v, ∗⟩ ∧ 2f+1 ⟨PREVOTE, h, r, id(v)⟩ ∧ valid(v) ∧ step ≥ prevote, first time.
  if (
    v !== undefined &&
    valid &&
    d.s.step !== "propose" &&
    isQuorum(powerFor(prevotes, v), d.total) &&
    !d.hasFired(ruleId(36, r))
  ) {
    d.fire(ruleId(36, r));
    if (d.s.step === "prevote") {
      d.s.lockedValue = v;
      d.s.lockedRound = r;
      d.vote("precommit", v);
      d.setStep("precommit");
    }
    d.s.validValue = v;
    d.s.validRound = r;
    return true;
  }

  // Lines 44–46: 2f+1 ⟨PREVOTE, h, r, nil⟩ while step = prevote: precommit nil.
  if (d.s.step === "prevote" && quorumValue(prevotes, d.total) === NIL) {
    d.vote("precommit", null);
    d.setStep("precommit");
    return true;
  }

  // Lines 47–48: 2f+1 ⟨PRECOMMIT, h, r, ∗⟩ for the first time: schedule timeout.
  if (isQuorum(rs?.precommits.total ?? 0n, d.total) && !d.hasFired(ruleId(47, r))) {
    d.fire(ruleId(47, r));
    d.schedule("precommit", r);
    return true;
  }
  return false;
}

/** Lines 57–67: the three timeouts. */
function onTimeout(d: Draft, ev: Extract<ConsensusEvent, { type: "timeout" }>): void {
  if (ev.height !== d.s.height || ev.round !== d.s.round || d.s.step === "commit") return;
  if (ev.kind === "propose" && d.s.step === "propose") {
    d.vote("prevote", null); // line 59
    d.setStep("prevote");
  } else if (ev.kind === "prevote" && d.s.step === "prevote") {
    d.vote("precommit", null); // line 63
    d.setStep("precommit");
  } else if (ev.kind === "precommit") {
    startRound(d, d.s.round + 1); // line 67
  }
}

/** `unchanged` of a vote that may change the state, with its voter's index (-1: not looked up). */
const CHANGES = -1;
/** `unchanged` of an input that cannot change the state. */
const UNCHANGED = -2;

/**
 * UNCHANGED when `event` cannot change `state` (the same checks `step` would make first, and nothing
 * else); otherwise the voter's index in the validator set for a vote whose round exists, else CHANGES.
 */
function unchanged(state: ConsensusState, event: ConsensusEvent): number {
  if (event.type !== "vote" && event.type !== "proposal") return CHANGES;
  if (state.step === "commit") return UNCHANGED;
  if (event.type === "proposal") return event.proposal.proposal.height !== state.height ? UNCHANGED : CHANGES;
  const v = event.vote.vote;
  if (v.height !== state.height || v.round > state.round + MAX_ROUND_AHEAD) return UNCHANGED;
  const rs = state.rounds.get(v.round);
  if (!rs) return CHANGES;
  const i = validatorIndex(state.validators, v.validator);
  if (i < 0) return UNCHANGED;
  const prev = voteAt(v.type === "prevote" ? rs.prevotes : rs.precommits, i);
  // An exact duplicate; a conflicting vote is not counted either, but it is reported (once).
  return prev !== undefined && valueKey(prev.vote.blockHash) === valueKey(v.blockHash) ? UNCHANGED : i;
}

/**
 * Feeds one event to the engine. Pure: same state + same event → same result, on every machine.
 */
export function step(
  state: ConsensusState,
  event: ConsensusEvent,
): { state: ConsensusState; effects: ConsensusEffect[] } {
  // PERF: most inputs change nothing (messages after the decision, duplicates from gossip): answer those
  // without a working copy. At 100 validators a node gets ~200 votes per height.
  const index = unchanged(state, event);
  if (index === UNCHANGED) return { state, effects: [] };
  const d = new Draft(state);
  switch (event.type) {
    case "newHeight": {
      // A stale or repeated newHeight must not reset a height in progress (that would drop its locks).
      const h = d.s.height;
      const fresh = event.height > h || (event.height === h && d.s.step === "commit" && d.s.decided === null);
      if (fresh) onNewHeight(d, event.height, event.validators);
      break;
    }
    case "proposal":
      if (d.s.step !== "commit") onProposal(d, event);
      break;
    case "vote":
      // A vote that crosses no threshold cannot enable a rule (see onVote): no need to look.
      if (d.s.step === "commit" || !onVote(d, event.vote, index)) return d.finish();
      break;
    case "timeout":
      onTimeout(d, event);
      break;
    case "valueReady":
      // Line 19 (getValue) returned: propose it if we are still at that round's propose step.
      if (
        event.height === d.s.height &&
        event.round === d.s.round &&
        d.s.step === "propose" &&
        d.isProposer(event.round) &&
        !d.round(event.round)?.proposal
      ) {
        d.propose(event.round, toHex(event.blockHash));
      }
      break;
  }
  // Run the upon-rules to a fixpoint (each firing changes step, round or a first-time flag, so it ends).
  for (let i = 0; i < 1000 && applyRules(d); i++);
  return d.finish();
}
