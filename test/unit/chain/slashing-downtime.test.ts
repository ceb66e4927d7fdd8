import { describe, expect, it } from "vitest";
import { findValidator } from "../../../src/core/chain/apply/staking-store.js";
import {
  applyTxToTree,
  burnedSupply,
  createTx,
  getValidator,
  slashingInfo,
  TxError,
  totalSupply,
} from "../../../src/core/chain/index.js";
import { ChainDriver, SLASHING_TEST_PARAMS as P, slashingChain } from "../../helpers/slashing.js";

const chain = slashingChain(5);
const v1 = chain.consensus[1]!;
const op1 = chain.operators[1]!;
const maxMissed = 5; // window 10, 50% must be signed
const STAKE = 1_000_000n;

const missed = (d: ChainDriver) => slashingInfo(d.state, v1.address)!.missedBlocks;

function unjailCode(d: ChainDriver, who = op1, height = d.state.height + 1n): string | undefined {
  const tx = createTx({
    chainId: d.state.chainId,
    secretKey: who.secretKey,
    nonce: 0n,
    payload: { type: "unjail", value: { validator: v1.address } },
  });
  try {
    applyTxToTree(d.state.tree, tx, {
      chainId: d.state.chainId,
      params: d.state.params,
      feeRecipient: who.address,
      height,
    });
  } catch (err) {
    if (err instanceof TxError) return err.code;
    throw err;
  }
  return undefined;
}

describe("downtime", () => {
  it("counts each block's lastCommit and jails on the first miss past the window's allowance", () => {
    const d = new ChainDriver(chain);
    d.run(1);
    // Block k's commit lacks v1 from k = 2 on; block k+1 records the miss of height k.
    d.run(maxMissed + 1, [1]);
    expect(missed(d)).toBe(maxMissed);
    expect(getValidator(d.state, v1.address)?.status).toBe("active");
    expect(d.inSet(1)).toBe(true);
    const supply = totalSupply(d.state);
    const s = d.step({ offline: [1] });
    const burned = (STAKE * BigInt(P.slashFractionDowntime)) / 10_000n;
    expect(s.applied.penalties).toEqual([
      {
        validator: v1.address,
        reason: "downtime",
        infractionHeight: s.state.height - 1n,
        burned,
        jailedUntil: s.state.height + P.downtimeJailDuration,
        tombstoned: false,
      },
    ]);
    expect(findValidator(d.state.tree, v1.address)?.stake).toBe(STAKE - burned);
    expect(totalSupply(d.state) + burnedSupply(d.state)).toBe(supply);
    // Out of the set from the next height, with a fresh window.
    expect(d.inSet(1)).toBe(false);
    expect(slashingInfo(d.state, v1.address)).toMatchObject({
      jailed: true,
      tombstoned: false,
      jailReason: "downtime",
      jailedUntil: s.state.height + P.downtimeJailDuration,
      missedBlocks: 0,
      totalSlashed: burned,
    });
    // It stays out while jailed, also across epoch boundaries, and is not slashed again.
    const later = d.run(15);
    expect(later.flatMap((x) => x.applied.penalties)).toEqual([]);
    expect(d.inSet(1)).toBe(false);
  });

  it("forgets misses that slide out of the window", () => {
    const d = new ChainDriver(chain);
    d.run(1);
    // Commits of blocks 2–6 lack v1; block k+1 records height k, so heights 2–5 are counted so far.
    d.run(maxMissed, [1]);
    expect(missed(d)).toBe(maxMissed - 1);
    // Blocks 7–12: height 6 (the 5th miss), then 7–11 signed; the window (heights 2–11) is full.
    d.run(P.signedBlocksWindow - maxMissed + 1);
    expect(missed(d)).toBe(maxMissed);
    // Heights 12 and 13 push the misses of heights 2 and 3 out of the window.
    d.run(2);
    expect(missed(d)).toBe(maxMissed - 2);
    // Missing again within the allowance jails nobody.
    const steps = d.run(2, [1]);
    expect(steps.flatMap((x) => x.applied.penalties)).toEqual([]);
    expect(d.inSet(1)).toBe(true);
    // A full window of signatures (plus the pending miss of the last offline block) clears it.
    d.run(P.signedBlocksWindow + 1);
    expect(missed(d)).toBe(0);
  });

  it("charges a validator only for heights it was in the set; leaving clears its window", () => {
    const d = new ChainDriver(chain);
    d.run(1);
    d.run(4, [1]); // commits of blocks 2–5 lack v1: heights 2–4 recorded, 5 pending
    expect(missed(d)).toBe(3);
    // Its operator unbonds all in block 6: it leaves the set at the boundary after block 10.
    d.step({ txs: [d.tx(1, { type: "unbond", value: { validator: v1.address, amount: STAKE } })] });
    d.run(10 - Number(d.state.height));
    expect(missed(d)).toBe(4);
    expect(d.inSet(1)).toBe(false);
    expect(getValidator(d.state, v1.address)?.status).toBe("inactive");
    // Block 11 records its last height in the set (10), then clears the window of a validator that left.
    d.run(1);
    expect(missed(d)).toBe(0);
    expect(getValidator(d.state, v1.address)?.status).toBe("inactive");
  });

  it("unjail: refused while jailed (TX_JAILED_UNTIL) or by another account; accepted after, back at the next epoch", () => {
    const d = new ChainDriver(chain);
    expect(unjailCode(d)).toBe("TX_NOT_JAILED");
    d.run(1);
    const jailedAt = d.run(maxMissed + 2, [1]).at(-1)!;
    const until = jailedAt.applied.penalties[0]!.jailedUntil;
    expect(unjailCode(d, op1, until - 1n)).toBe("TX_JAILED_UNTIL");
    expect(unjailCode(d, chain.operators[2]!, until)).toBe("TX_NOT_OPERATOR");
    expect(unjailCode(d, op1, until)).toBeUndefined();
    // Through blocks: the tx is rejected before `until` and included from it.
    while (d.state.height + 1n < until) {
      const early = d.step({ txs: [unjailTx(d)] });
      expect(early.built.rejected.map((r) => r.error.type)).toEqual([
        expect.objectContaining({ code: "TX_JAILED_UNTIL", until }),
      ]);
    }
    const ok = d.step({ txs: [unjailTx(d)] });
    expect(ok.built.block.txs).toHaveLength(1);
    expect(getValidator(d.state, v1.address)?.status).toBe("inactive");
    expect(slashingInfo(d.state, v1.address)).toMatchObject({ jailed: false, jailedUntil: null });
    // Back in the active set from the first height of the next epoch, not before.
    const boundary = (d.state.height / P.epochLength + 1n) * P.epochLength;
    d.run(Number(boundary - d.state.height) - 1);
    expect(d.inSet(1)).toBe(false);
    d.run(1);
    expect(d.inSet(1)).toBe(true);
    expect(getValidator(d.state, v1.address)?.status).toBe("active");
  });

  it("unjail is refused while the self-stake is below minSelfStake", () => {
    const params = { ...P, slashFractionDowntime: 10_000 }; // downtime burns everything
    const d = new ChainDriver(slashingChain(5, params));
    d.run(1);
    d.run(maxMissed + 2, [1]);
    expect(findValidator(d.state.tree, v1.address)?.stake).toBe(0n);
    expect(unjailCode(d, op1, d.state.height + 100n)).toBe("TX_BELOW_MIN_STAKE");
    // A validator whose stake is all burned takes no new delegations (its shares are worthless).
    const delegate = d.step({
      txs: [d.tx(2, { type: "delegate", value: { validator: v1.address, amount: 10n } })],
    });
    expect(delegate.built.rejected.map((r) => r.error.code)).toEqual(["TX_BAD_ARGUMENT"]);
  });
});

/** Operator 1's unjail tx (its first tx: a rejected one leaves the nonce unused). */
function unjailTx(d: ChainDriver) {
  return createTx({
    chainId: d.state.chainId,
    secretKey: op1.secretKey,
    nonce: 0n,
    payload: { type: "unjail", value: { validator: v1.address } },
  });
}
