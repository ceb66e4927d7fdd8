import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readUnbonding } from "../../../src/core/chain/apply/staking-store.js";
import {
  applyTxToTree,
  buildBlock,
  createTx,
  getAccount,
  getValidator,
  proposerFor,
  type State,
  type Tx,
  TxError,
  type TxPayload,
  totalSupply,
} from "../../../src/core/chain/index.js";
import { addressBytes, decodeAddress, getPublicKey } from "../../../src/core/index.js";
import { devChain, signCommit } from "../../helpers/chain.js";

const chain = devChain(4);
const [op0, alice, bob, authority] = [
  chain.accounts[1]!,
  chain.accounts[2]!,
  chain.accounts[3]!,
  chain.accounts[0]!,
];
const newKey = new Uint8Array(32).fill(42);
const newCons = getPublicKey(newKey);
const newAddr = addressBytes(newCons);
const v0 = chain.consensus[0]!.address;
const p = chain.state.params;

function ctx(height = 1n) {
  return { chainId: chain.state.chainId, params: p, feeRecipient: addressBytes(op0.publicKey), height };
}
const tx = (who: { secretKey: Uint8Array }, payload: TxPayload, nonce = 0n): Tx =>
  createTx({ chainId: chain.state.chainId, secretKey: who.secretKey, nonce, payload });
function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof TxError) return err.code;
    throw err;
  }
  return undefined;
}

describe("staking transactions", () => {
  it("bond creates an inactive validator with the sender as operator, or adds the operator's stake", () => {
    const t1 = applyTxToTree(
      chain.state.tree,
      tx(alice, { type: "bond", value: { consensusKey: newCons, name: "new", amount: 5000n } }),
      ctx(),
    );
    const st = { ...chain.state, tree: t1 } as State;
    expect(getValidator(st, newAddr)).toMatchObject({
      stake: 5000n,
      shares: 5000n,
      status: "inactive",
      name: "new",
    });
    expect(getAccount(t1, decodeAddress(alice.address)).balance).toBe(
      getAccount(chain.state.tree, decodeAddress(alice.address)).balance - 5000n,
    );
    const t2 = applyTxToTree(
      t1,
      tx(alice, { type: "bond", value: { consensusKey: newCons, name: "new", amount: 1000n } }, 1n),
      ctx(),
    );
    expect(getValidator({ ...st, tree: t2 }, newAddr)?.stake).toBe(6000n);
    expect(
      code(() =>
        applyTxToTree(
          t1,
          tx(bob, { type: "bond", value: { consensusKey: newCons, name: "x", amount: 5000n } }),
          ctx(),
        ),
      ),
    ).toBe("TX_NOT_OPERATOR");
  });

  it("bond rejects too little stake, a bad key, an empty name and missing funds", () => {
    const bond = (amount: bigint, key = newCons, name = "n") =>
      tx(alice, { type: "bond", value: { consensusKey: key, name, amount } });
    expect(code(() => applyTxToTree(chain.state.tree, bond(p.minSelfStake - 1n), ctx()))).toBe(
      "TX_BELOW_MIN_STAKE",
    );
    expect(code(() => applyTxToTree(chain.state.tree, bond(5000n, new Uint8Array(32)), ctx()))).toBe(
      "TX_BAD_PUBLIC_KEY",
    );
    expect(code(() => applyTxToTree(chain.state.tree, bond(5000n, newCons, "  "), ctx()))).toBe(
      "TX_BAD_ARGUMENT",
    );
    expect(code(() => applyTxToTree(chain.state.tree, bond(10n ** 18n), ctx()))).toBe(
      "TX_INSUFFICIENT_FUNDS",
    );
    expect(code(() => applyTxToTree(chain.state.tree, bond(0n), ctx()))).toBe("TX_ZERO_AMOUNT");
  });

  it("delegate mints shares; undelegate queues the tokens with a release epoch", () => {
    let t = applyTxToTree(
      chain.state.tree,
      tx(bob, { type: "delegate", value: { validator: v0, amount: 500n } }),
      ctx(),
    );
    const v = getValidator({ ...chain.state, tree: t } as State, v0)!;
    expect(v.stake).toBe(1_000_500n);
    t = applyTxToTree(
      t,
      tx(bob, { type: "undelegate", value: { validator: v0, amount: 200n } }, 1n),
      ctx(15n),
    );
    const q = readUnbonding(t, decodeAddress(bob.address));
    // height 15 is in epoch 1 (heights 11–20): release at the start of epoch 1 + 1 + unbondingEpochs.
    // The entry remembers the height it started at (evidence of an infraction from then on slashes it).
    expect(q).toEqual([
      { validator: v0, amount: 200n, releaseEpoch: 2n + p.unbondingEpochs, creationHeight: 15n },
    ]);
    expect(
      code(() =>
        applyTxToTree(t, tx(bob, { type: "undelegate", value: { validator: v0, amount: 301n } }, 2n), ctx()),
      ),
    ).toBe("TX_INSUFFICIENT_STAKE");
    expect(
      code(() =>
        applyTxToTree(
          t,
          tx(bob, { type: "delegate", value: { validator: new Uint8Array(20), amount: 1n } }, 2n),
          ctx(),
        ),
      ),
    ).toBe("TX_UNKNOWN_VALIDATOR");
  });

  it("limits concurrent unbonding entries", () => {
    let t = applyTxToTree(
      chain.state.tree,
      tx(bob, { type: "delegate", value: { validator: v0, amount: 100n } }),
      ctx(),
    );
    let n = 1n;
    for (let i = 0; i < p.maxUnbondingEntries; i++)
      t = applyTxToTree(t, tx(bob, { type: "undelegate", value: { validator: v0, amount: 1n } }, n++), ctx());
    expect(
      code(() =>
        applyTxToTree(t, tx(bob, { type: "undelegate", value: { validator: v0, amount: 1n } }, n), ctx()),
      ),
    ).toBe("TX_TOO_MANY_UNBONDING");
  });

  it("an operator keeps at least minSelfStake or unbonds everything; others cannot unbond for it", () => {
    const op = { secretKey: chain.accounts[0]!.secretKey };
    const self = 1_000_000n;
    expect(
      code(() =>
        applyTxToTree(
          chain.state.tree,
          tx(op, { type: "unbond", value: { validator: v0, amount: self - p.minSelfStake + 1n } }),
          ctx(),
        ),
      ),
    ).toBe("TX_BELOW_MIN_STAKE");
    expect(
      code(() =>
        applyTxToTree(
          chain.state.tree,
          tx(op, { type: "unbond", value: { validator: v0, amount: self } }),
          ctx(),
        ),
      ),
    ).toBeUndefined();
    expect(
      code(() =>
        applyTxToTree(
          chain.state.tree,
          tx(bob, { type: "unbond", value: { validator: v0, amount: 1n } }),
          ctx(),
        ),
      ),
    ).toBe("TX_NOT_OPERATOR");
  });

  it("edit-validator, unjail and set-work-weight check who may do what", () => {
    const op = { secretKey: chain.accounts[0]!.secretKey };
    const t = applyTxToTree(
      chain.state.tree,
      tx(op, { type: "edit-validator", value: { validator: v0, name: "renamed", commission: 500 } }),
      ctx(),
    );
    expect(getValidator({ ...chain.state, tree: t } as State, v0)).toMatchObject({
      name: "renamed",
      commission: 500,
    });
    expect(
      code(() =>
        applyTxToTree(
          chain.state.tree,
          tx(op, { type: "edit-validator", value: { validator: v0, name: "x", commission: 10_001 } }),
          ctx(),
        ),
      ),
    ).toBe("TX_BAD_ARGUMENT");
    expect(
      code(() =>
        applyTxToTree(chain.state.tree, tx(op, { type: "unjail", value: { validator: v0 } }), ctx()),
      ),
    ).toBe("TX_NOT_JAILED");
    expect(
      code(() =>
        applyTxToTree(
          chain.state.tree,
          tx(bob, { type: "set-work-weight", value: { validator: v0, workWeight: 5 } }),
          ctx(),
        ),
      ),
    ).toBe("TX_NOT_AUTHORIZED");
    const w = applyTxToTree(
      chain.state.tree,
      tx(authority, { type: "set-work-weight", value: { validator: v0, workWeight: 20_000 } }),
      ctx(),
    );
    expect(getValidator({ ...chain.state, tree: w } as State, v0)).toMatchObject({
      workWeight: 10_000,
      pendingWorkWeight: 20_000,
    });
  });
});

/** Builds blocks, each with the given txs, signed by the genesis validators. */
function run(blocks: Tx[][], from: State = chain.state): State[] {
  let state = from;
  let lastCommit = null;
  const out: State[] = [];
  for (const txs of blocks) {
    const built = buildBlock(state, {
      txs,
      time: state.lastBlockTime + 100n,
      proposer: proposerFor(state.validatorSet, 0).address,
      lastCommit,
    });
    state = built.state;
    lastCommit = signCommit(state, chain.consensus, state.height, built.hash);
    out.push(state);
  }
  return out;
}

describe("epochs", () => {
  it("a bonded validator joins the set only at the epoch boundary, announced by nextValidatorsHash", () => {
    const bond = tx(alice, {
      type: "bond",
      value: { consensusKey: newCons, name: "late", amount: 2_000_000n },
    });
    const setWeight = tx(authority, {
      type: "set-work-weight",
      value: { validator: v0, workWeight: 30_000 },
    });
    const states = run([[bond, setWeight], ...Array.from({ length: 9 }, () => [])]);
    const inSet = (s: State) =>
      s.validatorSet.validators.some((v) => Buffer.from(v.address).equals(Buffer.from(newAddr)));
    expect(inSet(states[8]!)).toBe(false); // after block 9: still the old set
    expect(inSet(states[9]!)).toBe(true); // after block 10 (end of epoch 0): in the set for block 11
    expect(states[9]!.validatorSet.validators).toHaveLength(5);
    expect(getValidator(states[9]!, newAddr)?.status).toBe("active");
    expect(
      states[9]!.validatorSet.validators.find((v) => Buffer.from(v.address).equals(Buffer.from(v0)))
        ?.workWeight,
    ).toBe(30_000n);
    // The newcomer starts with a negative priority, so it does not propose first.
    const idx = states[9]!.validatorSet.validators.findIndex((v) =>
      Buffer.from(v.address).equals(Buffer.from(newAddr)),
    );
    expect(states[9]!.validatorSet.priorities[idx]!).toBeLessThan(0n);
  });

  it("unbonded stake leaves the set at the boundary and the funds return after the unbonding period", () => {
    const op3 = { secretKey: chain.accounts[3]!.secretKey };
    const v3 = chain.consensus[3]!.address;
    const before = getAccount(chain.state, addressBytes(getPublicKey(op3.secretKey))).balance;
    const states = run([
      [tx(op3, { type: "unbond", value: { validator: v3, amount: 1_000_000n } })],
      ...Array.from({ length: 39 }, () => []),
    ]);
    expect(states[9]!.validatorSet.validators).toHaveLength(3);
    const release = (1n + p.unbondingEpochs) * p.epochLength; // boundary that starts the release epoch
    const bal = (i: number) => getAccount(states[i]!, addressBytes(getPublicKey(op3.secretKey))).balance;
    expect(bal(Number(release) - 2)).toBe(before);
    expect(bal(Number(release) - 1)).toBe(before + 1_000_000n);
    for (const s of states) expect(totalSupply(s)).toBe(totalSupply(chain.state));
  });

  it("supply is conserved across any sequence of transfers and staking txs (property)", () => {
    const actors = [alice, bob, chain.accounts[0]!];
    const gen = fc.array(
      fc.record({
        who: fc.integer({ min: 0, max: 2 }),
        kind: fc.constantFrom("transfer", "delegate", "undelegate", "bond"),
        amount: fc.bigInt({ min: 1n, max: 3_000_000n }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(gen, (ops) => {
        const nonces = [0n, 0n, 0n];
        const txs = ops.map((o) => {
          const who = actors[o.who]!;
          const payload: TxPayload =
            o.kind === "transfer"
              ? {
                  type: "transfer",
                  value: { to: decodeAddress(actors[(o.who + 1) % 3]!.address), amount: o.amount },
                }
              : o.kind === "bond"
                ? { type: "bond", value: { consensusKey: newCons, name: "p", amount: o.amount } }
                : { type: o.kind as "delegate" | "undelegate", value: { validator: v0, amount: o.amount } };
          return tx(who, payload, nonces[o.who]!++);
        });
        const states = run([txs, [], [], [], [], [], [], [], [], [], [], []]);
        for (const s of states) expect(totalSupply(s)).toBe(totalSupply(chain.state));
      }),
      { numRuns: 25 },
    );
  });
});
