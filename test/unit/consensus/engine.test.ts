import { describe, expect, it } from "vitest";
import { PRESETS } from "../../../src/core/chain/params.js";
import {
  createValidatorSet,
  isOneThird,
  isQuorum,
  proposerFor,
} from "../../../src/core/chain/validator-set.js";
import type { Vote } from "../../../src/core/chain/vote.js";
import { toHex } from "../../../src/core/codec/index.js";
import {
  type ConsensusEffect,
  type ConsensusEvent,
  type ConsensusState,
  createConsensusState,
  step,
  timeoutFor,
} from "../../../src/core/consensus/index.js";
import { sha256 } from "../../../src/core/crypto/index.js";

const SIG = new Uint8Array(64);
const addr = (i: number) => sha256(new Uint8Array([i, 1])).slice(0, 20);
const set = createValidatorSet(
  [0, 1, 2, 3].map((i) => ({
    address: addr(i),
    publicKey: sha256(new Uint8Array([i])),
    power: 10n,
    workWeight: 10_000n,
  })),
);
const A = sha256(new Uint8Array([0xa]));
const B = sha256(new Uint8Array([0xb]));
const proposerOf = (round: number) => proposerFor(set, round).address;
/** A validator that is not the proposer of rounds 0..2, so the tests drive proposals themselves. */
const selfAddr =
  [0, 1, 2, 3].map(addr).find((a) => [0, 1, 2].every((r) => toHex(proposerOf(r)) !== toHex(a))) ?? addr(0);
const others = [0, 1, 2, 3].map(addr).filter((a) => toHex(a) !== toHex(selfAddr));

function start(): { s: ConsensusState; fx: ConsensusEffect[] } {
  const s0 = createConsensusState({
    height: 1n,
    validators: set,
    self: selfAddr,
    timeouts: PRESETS.dev.timeouts,
  });
  const r = step(s0, { type: "newHeight", height: 1n, validators: set });
  return { s: r.state, fx: r.effects };
}

/** Feeds events like the node's driver does: our own votes come back to us as vote events. */
function feed(s: ConsensusState, ...events: ConsensusEvent[]): { s: ConsensusState; fx: ConsensusEffect[] } {
  const fx: ConsensusEffect[] = [];
  const queue = [...events];
  while (queue.length) {
    const r = step(s, queue.shift() as ConsensusEvent);
    s = r.state;
    fx.push(...r.effects);
    for (const e of r.effects)
      if (e.type === "vote") queue.unshift({ type: "vote", vote: { vote: e.vote, signature: SIG } });
  }
  return { s, fx };
}

const proposal = (
  round: number,
  hash: Uint8Array,
  polRound: number | null = null,
  valid = true,
): ConsensusEvent => ({
  type: "proposal",
  proposal: {
    proposal: { height: 1n, round, polRound, blockHash: hash, proposer: proposerOf(round) },
    signature: SIG,
  },
  valid,
});
const vote = (
  type: Vote["type"],
  round: number,
  hash: Uint8Array | null,
  who: Uint8Array,
): ConsensusEvent => ({
  type: "vote",
  vote: { vote: { type, height: 1n, round, blockHash: hash, validator: who }, signature: SIG },
});
const votesOf = (fx: ConsensusEffect[]) =>
  fx
    .filter((e) => e.type === "vote")
    .map((e) => {
      const v = (e as Extract<ConsensusEffect, { type: "vote" }>).vote;
      return `${v.type}@${v.round}:${v.blockHash ? toHex(v.blockHash).slice(2, 6) : "nil"}`;
    });
const tag = (h: Uint8Array) => toHex(h).slice(2, 6);

describe("Tendermint upon-rules on the raw step function", () => {
  it("StartRound schedules the propose timeout with base + round·delta (lines 11–21)", () => {
    const { fx } = start();
    expect(fx).toContainEqual({
      type: "scheduleTimeout",
      kind: "propose",
      height: 1n,
      round: 0,
      durationMs: timeoutFor(PRESETS.dev.timeouts, "propose", 0),
    });
    expect(timeoutFor(PRESETS.dev.timeouts, "prevote", 3)).toBe(
      PRESETS.dev.timeouts.prevoteBase + 3 * PRESETS.dev.timeouts.prevoteDelta,
    );
  });

  it("prevotes a valid proposal and nil for an invalid one (line 22)", () => {
    expect(votesOf(feed(start().s, proposal(0, A)).fx)).toEqual([`prevote@0:${tag(A)}`]);
    expect(votesOf(feed(start().s, proposal(0, A, null, false)).fx)).toEqual(["prevote@0:nil"]);
  });

  it("ignores a proposal from a validator that is not the round's proposer", () => {
    const bad: ConsensusEvent = {
      type: "proposal",
      proposal: {
        proposal: { height: 1n, round: 0, polRound: null, blockHash: A, proposer: selfAddr },
        signature: SIG,
      },
      valid: true,
    };
    expect(votesOf(feed(start().s, bad).fx)).toEqual([]);
  });

  it("prevotes nil on propose timeout (line 57) and precommits nil on prevote timeout (line 61)", () => {
    let { s } = start();
    let r = feed(s, { type: "timeout", kind: "propose", height: 1n, round: 0 });
    expect(votesOf(r.fx)).toEqual(["prevote@0:nil"]);
    s = r.s;
    r = feed(
      s,
      ...others.map((o) => vote("prevote", 0, A, o)).slice(0, 1),
      vote("prevote", 0, null, others[1]!),
      vote("prevote", 0, B, others[2]!),
    );
    // 2f+1 prevotes for anything → prevote timeout scheduled (line 34), no precommit yet.
    expect(r.fx.some((e) => e.type === "scheduleTimeout" && e.kind === "prevote")).toBe(true);
    expect(votesOf(r.fx)).toEqual([]);
    r = feed(r.s, { type: "timeout", kind: "prevote", height: 1n, round: 0 });
    expect(votesOf(r.fx)).toEqual(["precommit@0:nil"]);
  });

  it("locks on proposal + 2f+1 prevotes and precommits it (line 36)", () => {
    const r = feed(
      start().s,
      proposal(0, A),
      vote("prevote", 0, A, others[0]!),
      vote("prevote", 0, A, others[1]!),
    );
    expect(votesOf(r.fx)).toEqual([`prevote@0:${tag(A)}`, `precommit@0:${tag(A)}`]);
    expect(r.s.lockedValue).toBe(toHex(A));
    expect(r.s.lockedRound).toBe(0);
    expect(r.s.validValue).toBe(toHex(A));
  });

  it("precommits nil on 2f+1 prevotes for nil (line 44)", () => {
    const r = feed(start().s, proposal(0, A), ...others.map((o) => vote("prevote", 0, null, o)));
    expect(votesOf(r.fx)).toEqual([`prevote@0:${tag(A)}`, "precommit@0:nil"]);
  });

  it("a validator locked on A prevotes nil for B in a later round without a newer POL (line 22 lock check)", () => {
    let r = feed(
      start().s,
      proposal(0, A),
      vote("prevote", 0, A, others[0]!),
      vote("prevote", 0, A, others[1]!),
    );
    expect(r.s.lockedValue).toBe(toHex(A));
    // Round 0 fails: 2f+1 precommits for anything, then the precommit timeout (line 65) → round 1.
    r = feed(r.s, ...others.map((o) => vote("precommit", 0, null, o)), {
      type: "timeout",
      kind: "precommit",
      height: 1n,
      round: 0,
    });
    expect(r.s.round).toBe(1);
    r = feed(r.s, proposal(1, B));
    expect(votesOf(r.fx)).toEqual(["prevote@1:nil"]);
  });

  it("…but prevotes B when the proposal carries a POL from a round ≥ its lock (line 28)", () => {
    let r = feed(
      start().s,
      proposal(0, A),
      vote("prevote", 0, A, others[0]!),
      vote("prevote", 0, A, others[1]!),
    );
    r = feed(r.s, ...others.map((o) => vote("precommit", 0, null, o)), {
      type: "timeout",
      kind: "precommit",
      height: 1n,
      round: 0,
    });
    // Round 1: 2f+1 prevotes for B (a POL for B at round 1, newer than our lock at 0); then round 2 re-proposes B with polRound 1.
    r = feed(r.s, ...others.map((o) => vote("prevote", 1, B, o)));
    r = feed(r.s, ...others.map((o) => vote("precommit", 1, null, o)), {
      type: "timeout",
      kind: "precommit",
      height: 1n,
      round: 1,
    });
    expect(r.s.round).toBe(2);
    r = feed(r.s, proposal(2, B, 1));
    expect(votesOf(r.fx)).toEqual([`prevote@2:${tag(B)}`]);
  });

  it("decides on proposal + 2f+1 precommits for it, with a commit carrying those signatures (line 49)", () => {
    const r = feed(start().s, proposal(0, A), ...others.map((o) => vote("precommit", 0, A, o)));
    const decide = r.fx.find((e) => e.type === "decide") as Extract<ConsensusEffect, { type: "decide" }>;
    expect(decide.blockHash).toEqual(A);
    expect(decide.commit.signatures).toHaveLength(3);
    expect(r.s.step).toBe("commit");
    // Nothing else happens at this height after the decision.
    expect(feed(r.s, vote("prevote", 0, B, others[0]!)).fx).toEqual([]);
  });

  it("lists a commit's signatures in validator order, whatever order the precommits came in", () => {
    const sorted = [...others].sort((a, b) => (toHex(a) < toHex(b) ? -1 : 1));
    for (const order of [sorted, [...sorted].reverse()]) {
      const r = feed(start().s, proposal(0, A), ...order.map((o) => vote("precommit", 0, A, o)));
      const decide = r.fx.find((e) => e.type === "decide") as Extract<ConsensusEffect, { type: "decide" }>;
      const signers = decide.commit.signatures.map((x) => toHex(x.validator));
      expect(signers).toEqual([...signers].sort());
    }
  });

  it("is pure: stepping an older state again leaves the newer one as it was", () => {
    const s0 = feed(start().s, proposal(0, A)).s;
    const a = feed(s0, vote("prevote", 0, A, others[0]!)).s;
    const b = feed(s0, vote("prevote", 0, B, others[1]!)).s; // a second branch from the same state
    expect(a.rounds.get(0)!.prevotes.total).toBe(20n); // own prevote + others[0]
    expect(b.rounds.get(0)!.prevotes.total).toBe(20n);
    const again = feed(a, vote("prevote", 0, B, others[1]!)).s;
    expect(again.rounds.get(0)!.prevotes.total).toBe(30n);
    expect(feed(b, vote("prevote", 0, A, others[0]!)).s.rounds.get(0)!.prevotes.total).toBe(30n);
    expect(a.rounds.get(0)!.prevotes.total).toBe(20n);
  });

  it("jumps to a higher round on f+1 messages from it (line 55)", () => {
    const r = feed(start().s, vote("prevote", 5, null, others[0]!));
    expect(r.s.round).toBe(0); // f alone is not enough
    const r2 = feed(r.s, vote("precommit", 5, null, others[1]!));
    expect(r2.s.round).toBe(5);
  });

  it("counts each validator once and reports a conflicting vote as evidence, once", () => {
    const r = feed(
      start().s,
      vote("prevote", 0, A, others[0]!),
      vote("prevote", 0, A, others[0]!),
      vote("prevote", 0, B, others[0]!),
      vote("prevote", 0, null, others[0]!),
    );
    expect(r.fx.filter((e) => e.type === "evidence")).toHaveLength(1);
    const rs = r.s.rounds.get(0)!;
    expect(rs.prevotes.total).toBe(10n);
  });

  it("keeps the first proposal of a round and reports a conflicting second one as evidence, once", () => {
    const r = feed(start().s, proposal(0, A), proposal(0, A), proposal(0, B), proposal(0, B, null, false));
    const ev = r.fx.filter((e) => e.type === "evidence");
    expect(ev).toHaveLength(1);
    const e = ev[0]?.type === "evidence" ? ev[0].evidence : undefined;
    expect(e?.type).toBe("conflictingProposal");
    if (e?.type !== "conflictingProposal") throw new Error("unreachable");
    expect(e.value.a.proposal.blockHash).toEqual(A);
    expect(e.value.b.proposal.blockHash).toEqual(B);
    expect(r.s.rounds.get(0)?.proposal?.signed.proposal.blockHash).toEqual(A);
    // The same proposal again is not equivocation.
    expect(feed(start().s, proposal(0, A), proposal(0, A)).fx.some((e) => e.type === "evidence")).toBe(false);
  });

  it("ignores votes from non-validators, other heights and absurdly far rounds; the input state is never mutated", () => {
    const { s } = start();
    const snapshot = JSON.stringify([...s.rounds.keys()]);
    const r = feed(s, vote("prevote", 0, A, new Uint8Array(20)), vote("prevote", 100_000, A, others[0]!), {
      type: "vote",
      vote: {
        vote: { type: "prevote", height: 2n, round: 0, blockHash: A, validator: others[0]! },
        signature: SIG,
      },
    });
    expect(r.s.rounds.get(0)?.prevotes.total ?? 0n).toBe(0n);
    expect(r.s.rounds.has(100_000)).toBe(false);
    expect(JSON.stringify([...s.rounds.keys()])).toBe(snapshot);
  });
});

describe("quorum arithmetic", () => {
  it("exactly 2/3 is not a quorum; just above is", () => {
    expect(isQuorum(2n, 3n)).toBe(false);
    expect(isQuorum(20n, 30n)).toBe(false);
    expect(isQuorum(21n, 30n)).toBe(true);
    expect(isQuorum(3n, 4n)).toBe(true);
    expect(isOneThird(1n, 3n)).toBe(false);
    expect(isOneThird(2n, 4n)).toBe(true);
  });
});
