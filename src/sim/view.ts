import { proposerFor } from "../core/chain/validator-set.js";
import type { SignedVote } from "../core/chain/vote.js";
import { toHex } from "../core/codec/index.js";
import { voteAt } from "../core/consensus/index.js";
import type { SimNode } from "./types.js";

/** The engine's round state in the API's `GET /v1/consensus` shape (what `watch` shows), for the trace. */
export function consensusView(n: SimNode) {
  const e = n.engine;
  const set = e.validators;
  const mark = (v: SignedVote | undefined) =>
    v ? (v.vote.blockHash ? toHex(v.vote.blockHash) : "nil") : null;
  const rounds = [...e.rounds].sort((a, b) => a[0] - b[0]).slice(-3);
  return {
    height: e.height.toString(),
    round: e.round,
    step: e.step,
    proposer: toHex(proposerFor(set, e.round).address),
    totalPower: set.totalPower.toString(),
    validators: set.validators.map((v, i) => ({
      address: toHex(v.address),
      power: v.power.toString(),
      workWeight: v.workWeight.toString(),
      rounds: rounds.map(([round, rs]) => ({
        round,
        prevote: mark(voteAt(rs.prevotes, i)),
        precommit: mark(voteAt(rs.precommits, i)),
      })),
    })),
    rounds: rounds.map(([round, rs]) => ({
      round,
      proposal: rs.proposal ? toHex(rs.proposal.signed.proposal.blockHash) : null,
      prevotePower: rs.prevotes.total.toString(),
      precommitPower: rs.precommits.total.toString(),
    })),
  };
}
