import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readIndex, readUnbonding } from "../../src/core/chain/apply/staking-store.js";
import {
  burnedSupply,
  committedEvidence,
  createTx,
  getAccount,
  getValidator,
  indexOfValidator,
  readSlashingInfo,
  type State,
  type Tx,
  type TxPayload,
  totalSupply,
  UNBONDING_INDEX_KEY,
  VALIDATOR_INDEX_KEY,
} from "../../src/core/chain/index.js";
import { toHex } from "../../src/core/index.js";
import { ChainDriver, doubleSign, slashingChain } from "../helpers/slashing.js";

const N = 5;
const chain = slashingChain(N);
const supply = totalSupply(chain.state);

const who = fc.integer({ min: 0, max: N - 1 });
const op = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant("transfer"), weight: 1 },
    { arbitrary: fc.constant("delegate"), weight: 2 },
    { arbitrary: fc.constant("undelegate"), weight: 3 },
    { arbitrary: fc.constant("unjail"), weight: 3 },
  ),
  from: who,
  to: who,
  amount: fc.bigInt({ min: 1n, max: 400_000n }),
});
type Op = { kind: string; from: number; to: number; amount: bigint };
/** `arb` in about one block of `every`, null otherwise. */
const sometimes = <T>(arb: fc.Arbitrary<T>, every: number) =>
  fc.oneof({ arbitrary: fc.constant(null), weight: every - 1 }, { arbitrary: arb, weight: 1 });
const blockSpec = fc.record({
  ops: fc.array(op, { maxLength: 3 }),
  /** Flip one validator between online and offline (it stays so until flipped back). */
  toggle: sometimes(who, 4),
  evidence: sometimes(
    fc.record({
      validator: who,
      // -1: the height being decided (must wait a block); past the max age (20) now and then.
      back: fc.oneof(
        { arbitrary: fc.integer({ min: -1, max: 6 }), weight: 4 },
        fc.integer({ min: 7, max: 25 }),
      ),
      type: fc.constantFrom("prevote" as const, "precommit" as const),
      round: fc.integer({ min: 0, max: 2 }),
    }),
    6,
  ),
});

function payload(o: Op): TxPayload {
  const validator = chain.consensus[o.to]!.address;
  switch (o.kind) {
    case "transfer":
      return { type: "transfer", value: { to: chain.operators[o.to]!.address, amount: o.amount } };
    case "unjail":
      return { type: "unjail", value: { validator: chain.consensus[o.from]!.address } };
    case "delegate":
      return { type: "delegate", value: { validator, amount: o.amount } };
    default: {
      // Half of the undelegations are from the sender's own validator, where it surely has shares.
      const from = chain.consensus[o.to % 2 ? o.to : o.from]!.address;
      return { type: "undelegate", value: { validator: from, amount: o.amount } };
    }
  }
}

/**
 * Txs with the senders' current nonces (a rejected tx leaves later ones of its sender invalid: fine). An
 * unjail is sent by the operator of the `from`-th jailed validator, if any, so unjails are not all no-ops.
 */
function txsFor(state: State, specs: Op[]): Tx[] {
  const next = new Map<number, bigint>();
  const jailed = chain.consensus
    .map((c, i) => [i, getValidator(state, c.address)?.status] as const)
    .filter(([, status]) => status === "jailed")
    .map(([i]) => i);
  const ops = specs.map((o) =>
    o.kind === "unjail" && jailed.length ? { ...o, from: jailed[o.from % jailed.length] as number } : o,
  );
  return ops.map((o) => {
    const nonce = next.get(o.from) ?? getAccount(state, chain.operators[o.from]!.address).nonce;
    next.set(o.from, nonce + 1n);
    const secretKey = chain.operators[o.from]!.secretKey;
    return createTx({ chainId: state.chainId, secretKey, nonce, payload: payload(o) });
  });
}

/** Validators (by index) with an unbonding entry created at or after `height`. */
function unbondingSince(state: State, height: bigint): number[] {
  const out = new Set<number>();
  for (const d of readIndex(state.tree, UNBONDING_INDEX_KEY))
    for (const e of readUnbonding(state.tree, d))
      if (e.creationHeight >= height)
        out.add(chain.consensus.findIndex((c) => toHex(c.address) === toHex(e.validator)));
  return [...out];
}

/** Checks every block's invariants; returns what the block exercised. */
function checkInvariants(state: State): void {
  // Slashing only ever moves tokens from stake and unbonding entries to `burned`.
  expect(totalSupply(state) + burnedSupply(state)).toBe(supply);
  // Burned = what the validators' records say they lost.
  const perValidator = readIndex(state.tree, VALIDATOR_INDEX_KEY).reduce(
    (sum, v) => sum + readSlashingInfo(state.tree, v).slashed,
    0n,
  );
  expect(perValidator).toBe(burnedSupply(state));
  // A tombstoned validator is never in the active set (unless no other is left: the set never empties);
  // an infraction is committed at most once.
  const allJailed = state.validatorSet.validators.every(
    (v) => getValidator(state, v.address)?.status === "jailed",
  );
  expect(state.validatorSet.validators.length).toBeGreaterThan(0);
  for (const c of chain.consensus)
    if (readSlashingInfo(state.tree, c.address).tombstoned && !allJailed)
      expect(indexOfValidator(state.validatorSet, c.address)).toBe(-1);
  const keys = committedEvidence(state).map((e) => `${toHex(e.validator)}/${e.height}/${e.round}/${e.type}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe("slashing properties", () => {
  it("total supply + burned is conserved across random blocks with transfers, staking, double-signs and downtime", () => {
    const seen = { doubleSign: 0, downtime: 0, unbondingSlashed: 0, unjailed: 0 };
    fc.assert(
      fc.property(fc.array(blockSpec, { minLength: 10, maxLength: 30 }), (blocks) => {
        const d = new ChainDriver(chain);
        d.keepQuorum = true;
        const offline = new Set<number>();
        for (const b of blocks) {
          if (b.toggle !== null && !offline.delete(b.toggle)) offline.add(b.toggle);
          const evidence = [];
          const h = b.evidence ? d.state.height - BigInt(b.evidence.back) : 0n;
          // An even `validator` picks, when there is one, a validator with unbonding entries within reach.
          const reach = unbondingSince(d.state, h);
          if (b.evidence && h >= 1n) {
            const i = b.evidence.validator;
            const offender = i % 2 === 0 && reach.length ? (reach[i % reach.length] as number) : i;
            evidence.push(doubleSign(d.state.chainId, chain.consensus[offender]!, h, b.evidence));
          }
          // ChainDriver.step also checks that every validator re-executes the block to the same root.
          const s = d.step({ txs: txsFor(d.state, b.ops), evidence, offline: [...offline] });
          for (const p of s.applied.penalties) {
            seen[p.reason === "double-sign" ? "doubleSign" : "downtime"]++;
            const i = chain.consensus.findIndex((c) => toHex(c.address) === toHex(p.validator));
            if (p.reason === "double-sign" && reach.includes(i)) seen.unbondingSlashed++;
          }
          seen.unjailed += s.built.block.txs.filter((t) => t.body.payload.type === "unjail").length;
          checkInvariants(d.state);
        }
      }),
      { numRuns: Number(process.env.SLASHING_RUNS ?? 25) },
    );
    // The scenarios really exercised every penalty path (a vacuous run would prove nothing).
    expect(seen.doubleSign).toBeGreaterThan(0);
    expect(seen.downtime).toBeGreaterThan(0);
    expect(seen.unbondingSlashed).toBeGreaterThan(0);
    expect(seen.unjailed).toBeGreaterThan(0);
  });
});
