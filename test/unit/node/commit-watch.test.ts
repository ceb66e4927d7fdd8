import { describe, expect, it } from "vitest";
import { voteSignBytes } from "../../../src/core/chain/commit.js";
import type { SignedVote } from "../../../src/core/chain/vote.js";
import { sign } from "../../../src/core/crypto/index.js";
import { createCommitWatch } from "../../../src/node/commit-watch.js";
import { devChain } from "../../helpers/chain.js";

/** Late precommits and second commits during the commit wait (DESIGN.md §4; commit-watch.ts). */
const chain = devChain(4);
const set = chain.state.validatorSet;
const OURS = new Uint8Array(32).fill(7);
const OTHER = new Uint8Array(32).fill(9);
const key = (i: number) => chain.consensus[i] as { secretKey: Uint8Array; address: Uint8Array };

function precommit(i: number, blockHash: Uint8Array | null, round = 0, height = 5n): SignedVote {
  const vote = { type: "precommit" as const, height, round, blockHash, validator: key(i).address };
  return { vote, signature: sign(key(i).secretKey, voteSignBytes(chain.state.chainId, vote)) };
}

function watchWithCommitOf(signers: number[]) {
  const w = createCommitWatch();
  const sigs = signers.map((i) => ({ validator: key(i).address, signature: precommit(i, OURS).signature }));
  w.committed({ height: 5n, round: 0, blockHash: OURS, signatures: sigs }, set);
  return w;
}

describe("commit watch", () => {
  it("extends the commit with a late precommit for the committed block, once per validator", () => {
    const w = watchWithCommitOf([0, 2, 3]);
    const late = precommit(1, OURS);
    const r = w.onPrecommit(late);
    expect(r?.kind).toBe("extended");
    const commit = w.commit;
    expect(commit?.signatures.length).toBe(4);
    // In validator-set order, as the engine builds commits.
    const order = commit?.signatures.map((s) =>
      set.validators.findIndex((v) => v.address.every((b, j) => b === s.validator[j])),
    );
    expect(order).toEqual([...(order ?? [])].sort((a, b) => a - b));
    expect(w.onPrecommit(late)).toBeNull();
  });

  it("does not extend with a precommit of another round, height, a nil precommit, or after close", () => {
    const w = watchWithCommitOf([0, 2, 3]);
    expect(w.onPrecommit(precommit(1, OURS, 1))).toBeNull();
    expect(w.onPrecommit(precommit(1, OURS, 0, 6n))).toBeNull();
    expect(w.onPrecommit(precommit(1, null))).toBeNull();
    w.close();
    expect(w.onPrecommit(precommit(1, OURS))).toBeNull();
    expect(w.commit).toBeNull();
  });

  it("reports a conflict once more than 2/3 of the power precommits another block at the height", () => {
    const w = watchWithCommitOf([0, 1, 2]);
    expect(w.onPrecommit(precommit(0, OTHER, 1))).toBeNull();
    expect(w.onPrecommit(precommit(0, OTHER, 1))).toBeNull(); // a duplicate does not count twice
    expect(w.onPrecommit(precommit(1, OTHER, 1))).toBeNull(); // 2 of 4: not yet a commit
    const r = w.onPrecommit(precommit(3, OTHER, 1));
    expect(r).toMatchObject({ kind: "conflict", height: 5n, round: 1 });
    expect(r && r.kind === "conflict" && r.theirs).toBe(`0x${"09".repeat(32)}`);
  });

  it("does not add up precommits for another block across rounds", () => {
    const w = watchWithCommitOf([0, 1, 2]);
    expect(w.onPrecommit(precommit(0, OTHER, 1))).toBeNull();
    expect(w.onPrecommit(precommit(1, OTHER, 2))).toBeNull();
    expect(w.onPrecommit(precommit(3, OTHER, 3))).toBeNull();
  });
});
