import { describe, expect, it } from "vitest";
import {
  findValidator,
  getShares,
  readUnbonding,
  tokensFor,
} from "../../../src/core/chain/apply/staking-store.js";
import {
  burnedSupply,
  getValidator,
  hashValidatorSet,
  proposerFor,
  slashingInfo,
  totalSupply,
} from "../../../src/core/chain/index.js";
import { U64_MAX } from "../../../src/core/index.js";
import { ChainDriver, doubleSign, SLASHING_TEST_PARAMS as P, slashingChain } from "../../helpers/slashing.js";

const chain = slashingChain(5);
const id = chain.state.chainId;
const v1 = chain.consensus[1]!;
const bob = chain.operators[2]!; // operator 2 also delegates to validator 1 in these tests
const STAKE = 1_000_000n;

describe("double-sign penalties", () => {
  it("burns slashFractionDoubleSign of the stake; delegators lose the same share through their shares", () => {
    const d = new ChainDriver(chain);
    const supply = totalSupply(chain.state);
    d.step({ txs: [d.tx(2, { type: "delegate", value: { validator: v1.address, amount: 200_000n } })] });
    d.run(2);
    const before = findValidator(d.state.tree, v1.address)!;
    const bobBefore = tokensFor(before, getShares(d.state.tree, v1.address, bob.address));
    expect(bobBefore).toBe(200_000n);
    const s = d.step({ evidence: [doubleSign(id, v1, 3n)] });
    const after = findValidator(d.state.tree, v1.address)!;
    const burned = (1_200_000n * BigInt(P.slashFractionDoubleSign)) / 10_000n; // 5% = 60 000
    expect(s.applied.penalties).toEqual([
      {
        validator: v1.address,
        reason: "double-sign",
        infractionHeight: 3n,
        burned,
        jailedUntil: U64_MAX,
        tombstoned: true,
        evidence: { validator: v1.address, height: 3n, round: 0, type: "prevote" },
      },
    ]);
    expect(after.stake).toBe(1_200_000n - burned);
    expect(after.shares).toBe(before.shares); // no per-delegator writes: the exchange rate fell
    expect(tokensFor(after, getShares(d.state.tree, v1.address, bob.address))).toBe(190_000n);
    expect(tokensFor(after, getShares(d.state.tree, v1.address, chain.operators[1]!.address))).toBe(950_000n);
    expect(burnedSupply(d.state)).toBe(burned);
    expect(totalSupply(d.state) + burnedSupply(d.state)).toBe(supply);
    expect(slashingInfo(d.state, v1.address)).toMatchObject({
      jailed: true,
      tombstoned: true,
      jailedUntil: null,
      jailReason: "double-sign",
      totalSlashed: burned,
    });
  });

  it("slashes unbonding entries created at or after the infraction height, not earlier ones", () => {
    const d = new ChainDriver(chain);
    d.step({ txs: [d.tx(2, { type: "delegate", value: { validator: v1.address, amount: 300_000n } })] });
    d.step({ txs: [d.tx(2, { type: "undelegate", value: { validator: v1.address, amount: 100_000n } })] }); // h2
    d.step({ txs: [d.tx(2, { type: "undelegate", value: { validator: v1.address, amount: 100_000n } })] }); // h3
    d.step({ txs: [d.tx(2, { type: "undelegate", value: { validator: v1.address, amount: 100_000n } })] }); // h4
    const s = d.step({ evidence: [doubleSign(id, v1, 3n)] });
    const entries = readUnbonding(d.state.tree, bob.address);
    expect(entries.map((e) => [e.creationHeight, e.amount])).toEqual([
      [2n, 100_000n], // before the infraction: already leaving, untouched
      [3n, 95_000n], // the same height: bonded when the votes were signed
      [4n, 95_000n],
    ]);
    // Bonded stake left: 1 000 000 (self) + 0 (bob's all unbonding) → 5% = 50 000; entries 2 × 5 000.
    expect(s.applied.penalties[0]?.burned).toBe(50_000n + 10_000n);
    expect(burnedSupply(d.state)).toBe(60_000n);
  });

  it("tombstones and jails: out of the set from the next height, never back, the chain goes on", () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const s = d.step({ evidence: [doubleSign(id, v1, 3n, { type: "precommit", round: 2 })] });
    // The block that carries the evidence announces the set without v1 for the very next height.
    expect(d.inSet(1)).toBe(false);
    expect(s.built.block.header.nextValidatorsHash).toEqual(hashValidatorSet(d.state.validatorSet));
    expect(d.state.validatorSet.totalPower).toBe(4n * STAKE);
    expect(getValidator(d.state, v1.address)?.status).toBe("jailed");
    // The commit of the evidence block is still checked against the set that decided it (v1 included).
    expect(d.state.lastValidatorSet.validators).toHaveLength(5);
    // Later epochs never pick it again, and it never proposes.
    for (const step of d.run(25)) {
      expect(proposerFor(step.state.validatorSet, 0).address).not.toEqual(v1.address);
      expect(d.inSet(1)).toBe(false);
    }
    const unjail = d.tx(1, { type: "unjail", value: { validator: v1.address } });
    const built = d.step({ txs: [unjail] }).built;
    expect(built.block.txs).toEqual([]);
    expect(built.rejected.map((r) => r.error.code)).toEqual(["TX_TOMBSTONED"]);
  });

  it("evidence against an already jailed (downtime) validator still slashes and tombstones it", () => {
    const d = new ChainDriver(chain);
    d.run(1);
    const offline = d.run(7, [1]);
    expect(offline.flatMap((x) => x.applied.penalties).map((p) => p.reason)).toEqual(["downtime"]);
    expect(slashingInfo(d.state, v1.address)).toMatchObject({ jailed: true, tombstoned: false });
    const s = d.step({ evidence: [doubleSign(id, v1, 2n)] });
    expect(s.applied.penalties).toMatchObject([{ reason: "double-sign", tombstoned: true }]);
    expect(slashingInfo(d.state, v1.address)).toMatchObject({
      jailed: true,
      tombstoned: true,
      jailedUntil: null,
    });
  });
});
