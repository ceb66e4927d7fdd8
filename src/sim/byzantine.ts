import { commitVote } from "../core/chain/index.js";
import { proposerFor } from "../core/chain/validator-set.js";
import type { SignedVote, Vote } from "../core/chain/vote.js";
import { bytesEqual } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import type { Behaviour, BehaviourKind } from "./config.js";
import type { Simulator } from "./simulator.js";
import type { Msg, SimNode } from "./types.js";

/**
 * Byzantine behaviours (issue 23 item 2). A byzantine validator runs the real engine and chain, but its
 * sends are twisted here: equivocation (two signed prevotes, precommits or proposals for one (h, r), each
 * half of the peers getting one), conflicting proposals out of turn, withholding, forged signatures,
 * future-height floods, late and duplicate votes. Its double-sign guard is bypassed for the twins: the
 * honest nodes' evidence, and the chain's slashing, must deal with it.
 */

function has(n: SimNode, kind: BehaviourKind): Behaviour | undefined {
  return n.behaviours.find((b) => b.kind === kind);
}

/** A block hash nobody proposed, for conflicting votes. */
function phantom(v: Vote): Uint8Array {
  return sha256(new TextEncoder().encode(`phantom/${v.height}/${v.round}/${v.type}`));
}

/** Sends `msg` the byzantine way; true when it did (the caller sends nothing else). */
export function sendByzantine(sim: Simulator, n: SimNode, msg: Msg): boolean {
  const late = has(n, "late");
  const delay = late ? (late.delayMs ?? 2_000) : 0;
  const withhold = has(n, "withhold");
  const cut = new Set<number>();
  if (withhold) {
    const share = withhold.share ?? 1;
    for (let p = 0; p < sim.nodes.length; p++) if (p !== n.id && sim.rng.chance(share)) cut.add(p);
  }
  const even = (p: number) => cut.has(p) || p % 2 === 1;
  const odd = (p: number) => cut.has(p) || p % 2 === 0;
  let twin: Msg | null = null;
  if (msg.kind === "vote") {
    const v = msg.signed.vote;
    if (has(n, v.type === "prevote" ? "equivocate-prevote" : "equivocate-precommit")) {
      const alt: Vote = { ...v, blockHash: v.blockHash ? null : phantom(v) };
      const signed = sim.signVote(n, alt, true);
      if (signed) twin = { ...msg, signed };
    }
  } else if (has(n, "equivocate-proposal")) {
    const block = sim.buildFor(n, 1 + sim.rng.int(1000));
    const p = msg.signed.proposal;
    const signed = sim.signProposal(n, { ...p, blockHash: sim.glue.hashOf(block) }, true);
    if (signed) twin = { ...msg, signed, block };
  }
  if (twin) {
    sim.send(n, msg, delay, even, true);
    sim.send(n, twin, delay, odd, true);
  } else if (cut.size) sim.send(n, msg, delay, (p) => cut.has(p), true);
  else sim.send(n, msg, delay);
  const dup = has(n, "duplicate");
  if (dup) for (let k = 1; k < (dup.count ?? 3); k++) sim.send(n, msg, delay + k * 7, (p) => cut.has(p));
  if (has(n, "forge") && msg.kind === "vote") forge(sim, n, msg);
  return true;
}

/** A vote in another validator's name with a signature that cannot verify (receivers must drop it). */
function forge(sim: Simulator, n: SimNode, msg: Extract<Msg, { kind: "vote" }>): void {
  const set = n.engine.validators.validators;
  const victim = set[sim.rng.int(set.length)];
  if (!victim || bytesEqual(victim.address, n.address)) return;
  const vote: Vote = { ...msg.signed.vote, validator: victim.address, blockHash: phantom(msg.signed.vote) };
  const signature = sim.signVote(n, vote, true)?.signature ?? new Uint8Array(64);
  sim.send(n, { ...msg, signed: { vote, signature } }, 0);
}

/**
 * Behaviours not tied to an own message: at a new height (round −1) future-height floods and re-sent
 * old precommits; at each propose step a proposal out of turn.
 */
export function byzantineExtras(sim: Simulator, n: SimNode, height: bigint, round: number): void {
  if (!n.behaviours.length || !n.alive) return;
  if (round < 0) {
    const flood = has(n, "future-flood");
    if (flood) {
      for (let k = 0; k < (flood.count ?? 10); k++) {
        const vote: Vote = {
          type: "prevote",
          height: height + 1n + BigInt(sim.rng.int(k % 2 ? 3 : 1000)),
          round: sim.rng.int(5),
          blockHash: null,
          validator: n.address,
        };
        const signed = sim.signVote(n, vote, true);
        if (signed)
          sim.send(n, { kind: "vote", from: n.id, height: vote.height, round: vote.round, signed }, 0);
      }
    }
    if (has(n, "duplicate") && n.lastCommit) {
      const mine = n.lastCommit.signatures.find((s) => bytesEqual(s.validator, n.address));
      if (mine) {
        const signed: SignedVote = { vote: commitVote(n.lastCommit, n.address), signature: mine.signature };
        const h = n.lastCommit.height;
        sim.send(n, { kind: "vote", from: n.id, height: h, round: n.lastCommit.round, signed }, 0);
      }
    }
    return;
  }
  if (has(n, "conflicting-proposals")) {
    const set = n.engine.validators;
    if (bytesEqual(proposerFor(set, round).address, n.address)) return;
    const block = sim.buildFor(n, 2 + round);
    const proposal = {
      height,
      round,
      polRound: null,
      blockHash: sim.glue.hashOf(block),
      // Half the time it claims the real proposer's name (a forged signature), else its own (wrong proposer).
      proposer: sim.rng.chance(0.5) ? proposerFor(set, round).address : n.address,
    };
    const signed = sim.signProposal(n, proposal, true);
    if (signed) sim.send(n, { kind: "proposal", from: n.id, height, round, signed, block }, 0);
  }
}
