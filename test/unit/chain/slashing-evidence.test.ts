import { describe, expect, it } from "vitest";
import {
  applyBlock,
  BlockError,
  buildBlock,
  committedEvidence,
  EvidenceCodec,
  EvidenceError,
  evidenceRoot,
  hashHeader,
  isEvidenceCommitted,
  MAX_EVIDENCE_BYTES,
  proposalEvidence,
  proposerFor,
  readSetHistory,
  validateEvidence,
  validatorSetAt,
  voteEvidence,
} from "../../../src/core/chain/index.js";
import { encode } from "../../../src/core/index.js";
import {
  ChainDriver,
  doublePropose,
  doubleSign,
  doubleSignVotes,
  SLASHING_TEST_PARAMS as P,
  slashingChain,
} from "../../helpers/slashing.js";

const chain = slashingChain(5);
const id = chain.state.chainId;
const [v0, v1, , , v4] = chain.consensus as [
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
];

function evidenceCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof EvidenceError) return err.code;
    if (err instanceof BlockError && err.type.code === "BLOCK_BAD_EVIDENCE") return err.type.evidenceCode;
    if (err instanceof BlockError) return err.code;
    throw err;
  }
  return undefined;
}

/** A block built on `d.state` carrying exactly `evidence`, re-signed as a byzantine proposer would. */
function forcedBlock(d: ChainDriver, evidence: ReturnType<typeof doubleSign>[]) {
  const built = buildBlock(d.state, {
    txs: [],
    time: d.state.lastBlockTime + 100n,
    proposer: proposerFor(d.state.validatorSet, 0).address,
    lastCommit: d.lastCommit,
  });
  const header = { ...built.block.header, evidenceRoot: evidenceRoot(evidence) };
  return { ...built.block, header, evidence };
}

describe("duplicate-vote evidence", () => {
  it("evidence from the height being decided goes in the next block, not the current one", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    // Detected while height 4 is decided: a block at height 4 (built on state 3) cannot carry it...
    const e = doubleSign(id, v1, 4n);
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBe("EVIDENCE_FUTURE");
    expect(evidenceCode(() => applyBlock(d.state, forcedBlock(d, [e])))).toBe("EVIDENCE_FUTURE");
    const s4 = d.step({ evidence: [e] });
    expect(s4.built.block.evidence).toEqual([]);
    expect(s4.built.rejectedEvidence.map((r) => r.error.code)).toEqual(["EVIDENCE_FUTURE"]);
    // ...and block 5 (built on state 4) can.
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBeUndefined();
    const s5 = d.step({ evidence: [e] });
    expect(s5.built.block.evidence).toHaveLength(1);
    expect(s5.applied.penalties).toMatchObject([{ reason: "double-sign", infractionHeight: 4n }]);
    expect(isEvidenceCommitted(d.state, e)).toBe(true);
  });

  it("rejects votes that do not conflict, come from two validators or another height/round/type", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const e = doubleSignVotes(id, v1, 2n);
    const same = voteEvidence({ a: e.a, b: e.a });
    const other = doubleSignVotes(id, v0, 2n);
    const twoValidators = voteEvidence({ a: e.a, b: other.b });
    const otherRound = voteEvidence({ a: e.a, b: doubleSignVotes(id, v1, 2n, { round: 1 }).b });
    const otherType = voteEvidence({ a: e.a, b: doubleSignVotes(id, v1, 2n, { type: "precommit" }).b });
    const nilVsBlock = voteEvidence({ a: e.a, b: { ...e.b, vote: { ...e.b.vote, blockHash: null } } });
    for (const bad of [same, twoValidators, otherRound, otherType])
      expect(evidenceCode(() => validateEvidence(d.state, bad))).toBe("EVIDENCE_NOT_CONFLICTING");
    // A nil vote against a block vote conflicts, but this one's signature was not made for nil.
    expect(evidenceCode(() => validateEvidence(d.state, nilVsBlock))).toBe("EVIDENCE_BAD_SIGNATURE");
    const forged = voteEvidence({ a: e.a, b: { ...e.b, signature: e.a.signature } });
    expect(evidenceCode(() => validateEvidence(d.state, forged))).toBe("EVIDENCE_BAD_SIGNATURE");
    const wrongChain = doubleSign("other-chain", v1, 2n);
    expect(evidenceCode(() => validateEvidence(d.state, wrongChain))).toBe("EVIDENCE_BAD_SIGNATURE");
    const stranger = { ...v1, address: new Uint8Array(20).fill(7) };
    expect(evidenceCode(() => validateEvidence(d.state, doubleSign(id, stranger, 2n)))).toBe(
      "EVIDENCE_UNKNOWN_VALIDATOR",
    );
    expect(evidenceCode(() => validateEvidence(d.state, doubleSign(id, v1, 0n)))).toBe(
      "EVIDENCE_UNKNOWN_VALIDATOR",
    );
    // A block carrying any of them is invalid for every validator.
    expect(evidenceCode(() => applyBlock(d.state, forcedBlock(d, [forged])))).toBe("EVIDENCE_BAD_SIGNATURE");
  });

  it("accepts evidence up to evidenceMaxAgeBlocks after the infraction, and not one block later", () => {
    const d = new ChainDriver(chain);
    d.run(2);
    const e = doubleSign(id, v1, 2n);
    d.run(Number(P.evidenceMaxAgeBlocks) - 1); // state height 2 + maxAge − 1: next block is 2 + maxAge
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBeUndefined();
    d.run(1);
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBe("EVIDENCE_TOO_OLD");
    const s = d.step({ evidence: [e] });
    expect(s.built.rejectedEvidence[0]?.error.type).toMatchObject({ code: "EVIDENCE_TOO_OLD", height: 2n });
  });

  it("penalises an infraction once: re-including it, or another by the same validator, is invalid", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const raw = doubleSignVotes(id, v1, 2n);
    const e = voteEvidence(raw);
    d.step({ evidence: [e] });
    expect(evidenceCode(() => applyBlock(d.state, forcedBlock(d, [e])))).toBe("EVIDENCE_ALREADY_COMMITTED");
    const swapped = voteEvidence({ a: raw.b, b: raw.a }); // the same infraction, votes the other way round
    expect(evidenceCode(() => validateEvidence(d.state, swapped))).toBe("EVIDENCE_ALREADY_COMMITTED");
    const again = doubleSign(id, v1, 3n);
    expect(evidenceCode(() => validateEvidence(d.state, again))).toBe("EVIDENCE_TOMBSTONED");
    // Two items about one validator in one block: the second is checked after the first tombstoned it.
    const d2 = new ChainDriver(chain);
    d2.run(3);
    const pair = [doubleSign(id, v4, 2n), doubleSign(id, v4, 3n)];
    expect(evidenceCode(() => applyBlock(d2.state, forcedBlock(d2, pair)))).toBe("EVIDENCE_TOMBSTONED");
    const s = d2.step({ evidence: pair });
    expect(s.built.block.evidence).toEqual([pair[0]]);
    expect(s.built.rejectedEvidence.map((r) => r.error.code)).toEqual(["EVIDENCE_TOMBSTONED"]);
    expect(s.applied.penalties).toHaveLength(1);
  });

  it("limits a block's evidence by count and bytes; a builder leaves the rest for later blocks", () => {
    const params = { ...P, maxBlockEvidence: 2 };
    const small = slashingChain(7, params);
    const d = new ChainDriver(small);
    d.run(3);
    const four = [0, 1, 2, 3].map((i) => doubleSign(id, small.consensus[i]!, 2n));
    const block = forcedBlock(d, four.slice(0, 3));
    expect(() => applyBlock(d.state, block)).toThrow(expect.objectContaining({ code: "BLOCK_TOO_LARGE" }));
    const s = d.step({ evidence: four });
    expect(s.built.block.evidence).toEqual(four.slice(0, 2));
    expect(s.built.rejectedEvidence).toEqual([]);
    const one = encode(EvidenceCodec, four[0]!).length;
    const byBytes = new ChainDriver(
      slashingChain(7, { ...P, maxBlockEvidenceBytes: Math.max(one + 1, MAX_EVIDENCE_BYTES) }),
    );
    byBytes.run(3);
    expect(evidenceCode(() => applyBlock(byBytes.state, forcedBlock(byBytes, four.slice(0, 2))))).toBe(
      "BLOCK_TOO_LARGE",
    );
    expect(byBytes.step({ evidence: four }).built.block.evidence).toHaveLength(1);
  });

  it("validates against the set of the infraction height after the validator left it", () => {
    // Given v4 unbonds everything in block 1: it leaves the set at the epoch boundary (height 11).
    const d = new ChainDriver(chain);
    d.step({ txs: [d.tx(4, { type: "unbond", value: { validator: v4.address, amount: 1_000_000n } })] });
    d.run(9);
    expect(d.inSet(4)).toBe(false);
    const e = doubleSign(id, v4, 9n);
    // Then evidence of height 9 still validates against the set of height 9 (the set history)...
    expect(validatorSetAt(d.state, 9n)?.validators).toHaveLength(5);
    expect(validatorSetAt(d.state, 11n)?.validators).toHaveLength(4);
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBeUndefined();
    // ...but evidence of a height where it was no longer a validator does not.
    d.run(2);
    expect(evidenceCode(() => validateEvidence(d.state, doubleSign(id, v4, 11n)))).toBe(
      "EVIDENCE_UNKNOWN_VALIDATOR",
    );
    const s = d.step({ evidence: [e] });
    // Its unbonding entry (created at height 1 < 9) is out of reach; its bonded stake is 0: nothing burns.
    expect(s.applied.penalties).toMatchObject([{ reason: "double-sign", burned: 0n, tombstoned: true }]);
  });

  it("keeps committed keys and the set history bounded by evidenceMaxAgeBlocks", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    d.step({ evidence: [doubleSign(id, v1, 2n)] });
    expect(committedEvidence(d.state)).toHaveLength(1);
    d.run(Number(P.evidenceMaxAgeBlocks) - 3); // state height 2 + maxAge − 1: still needed
    expect(committedEvidence(d.state)).toHaveLength(1);
    d.run(1);
    expect(committedEvidence(d.state)).toEqual([]);
    // Set changes (jail at 4, then a delegation every epoch) leave at most one window's worth of entries.
    for (let epoch = 0; epoch < 6; epoch++) {
      d.step({ txs: [d.tx(0, { type: "delegate", value: { validator: v0.address, amount: 1n } })] });
      d.run(9);
    }
    const starts = readSetHistory(d.state.tree);
    expect(starts.length).toBeLessThanOrEqual(Number(P.evidenceMaxAgeBlocks / P.epochLength) + 2);
    expect(starts[0]).toBeLessThanOrEqual(d.state.height + 1n - P.evidenceMaxAgeBlocks);
  });

  it("changes the state root with the evidence it applies", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const withEvidence = d.step({ evidence: [doubleSign(id, v1, 2n)] });
    const header = withEvidence.built.block.header;
    expect(hashHeader(header)).toEqual(withEvidence.applied.hash);
    const d2 = new ChainDriver(chain);
    d2.run(3);
    expect(d2.step().built.block.header.stateRoot).not.toEqual(header.stateRoot);
  });
});

describe("conflicting-proposal evidence", () => {
  it("slashes and tombstones a proposer that signed two proposals for one height/round", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const e = doublePropose(id, v1, 2n, 1);
    expect(evidenceCode(() => validateEvidence(d.state, e))).toBeUndefined();
    const s = d.step({ evidence: [e] });
    expect(s.built.block.evidence).toEqual([e]);
    expect(s.applied.penalties).toMatchObject([
      {
        reason: "double-sign",
        infractionHeight: 2n,
        tombstoned: true,
        evidence: { type: "proposal", round: 1 },
      },
    ]);
    expect(isEvidenceCommitted(d.state, e)).toBe(true);
    expect(evidenceCode(() => applyBlock(d.state, forcedBlock(d, [e])))).toBe("EVIDENCE_ALREADY_COMMITTED");
  });

  it("rejects proposals that do not conflict, are from two proposers or rounds, or are forged", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const e = doublePropose(id, v1, 2n);
    if (e.type !== "conflictingProposal") throw new Error("unreachable");
    const { a, b } = e.value;
    const other = doublePropose(id, v0, 2n);
    if (other.type !== "conflictingProposal") throw new Error("unreachable");
    const bad = [
      { a, b: a },
      { a, b: other.value.b },
      { a, b: { ...b, proposal: { ...b.proposal, round: 1 } } },
    ];
    for (const x of bad)
      expect(evidenceCode(() => validateEvidence(d.state, proposalEvidence(x)))).toBe(
        "EVIDENCE_NOT_CONFLICTING",
      );
    const polRound = proposalEvidence({ a, b: { ...a, proposal: { ...a.proposal, polRound: 0 } } });
    expect(evidenceCode(() => validateEvidence(d.state, polRound))).toBe("EVIDENCE_BAD_SIGNATURE");
    const forged = proposalEvidence({ a, b: { ...b, signature: a.signature } });
    expect(evidenceCode(() => validateEvidence(d.state, forged))).toBe("EVIDENCE_BAD_SIGNATURE");
    expect(evidenceCode(() => validateEvidence(d.state, doublePropose("other-chain", v1, 2n)))).toBe(
      "EVIDENCE_BAD_SIGNATURE",
    );
    expect(evidenceCode(() => validateEvidence(d.state, doublePropose(id, v1, 4n)))).toBe("EVIDENCE_FUTURE");
    expect(evidenceCode(() => applyBlock(d.state, forcedBlock(d, [forged])))).toBe("EVIDENCE_BAD_SIGNATURE");
  });

  it("penalises a validator once across kinds: a double vote after a double proposal is tombstoned", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const s = d.step({ evidence: [doublePropose(id, v4, 2n), doubleSign(id, v4, 2n)] });
    expect(s.built.block.evidence).toHaveLength(1);
    expect(s.built.rejectedEvidence.map((r) => r.error.code)).toEqual(["EVIDENCE_TOMBSTONED"]);
  });

  it("fits the largest item in MAX_EVIDENCE_BYTES", () => {
    expect(encode(EvidenceCodec, doublePropose(id, v1, 2n, 1, 0)).length).toBe(MAX_EVIDENCE_BYTES);
    expect(encode(EvidenceCodec, doubleSign(id, v1, 2n)).length).toBeLessThan(MAX_EVIDENCE_BYTES);
  });
});
