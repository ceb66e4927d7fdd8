import { describe, expect, it } from "vitest";
import {
  burnedSupply,
  getAccount,
  getValidator,
  mintedSupply,
  REWARD_POOL_KEY,
  readU64,
  totalSupply,
  vestingKey,
  withdrawableRewards,
} from "../../../src/core/chain/index.js";
import { productChain } from "../../helpers/product.js";

const supplyOk = (c: ReturnType<typeof productChain>, genesisSupply: bigint) =>
  expect(totalSupply(c.state) + burnedSupply(c.state)).toBe(genesisSupply + mintedSupply(c.state));

describe("epoch rewards", () => {
  it("mints rewardPerEpoch at each boundary and vests it by stake × workWeight", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    c.toHeight(10n);
    expect(mintedSupply(c.state)).toBe(1_000_000n);
    // Four equal validators: 250000 each, nothing left in the pool.
    for (const v of c.consensus) expect(readU64(c.state.tree, vestingKey(0n, v.address))).toBe(250_000n);
    expect(readU64(c.state.tree, REWARD_POOL_KEY)).toBe(0n);
    supplyOk(c, g);
  });

  it("a higher workWeight earns a proportionally larger share", () => {
    const c = productChain({ params: { maxWorkWeightChangeBps: 10_000 } });
    // Give validator 0 workWeight 2.0 through the devnet authority, then measure epoch 1's split.
    c.step([
      c.tx(c.ops[0]!, {
        type: "set-work-weight",
        value: { validator: c.consensus[0]!.address, workWeight: 20_000 },
      }),
    ]);
    c.toHeight(20n);
    const v0 = readU64(c.state.tree, vestingKey(1n, c.consensus[0]!.address));
    const v1 = readU64(c.state.tree, vestingKey(1n, c.consensus[1]!.address));
    expect(v0).toBe(400_000n); // 2 / (2 + 1 + 1 + 1)
    expect(v1).toBe(200_000n);
  });

  it("releases vested rewards after challengeWindowEpochs: commission to the operator, the rest by shares", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    const v0 = c.consensus[0]!.address;
    // Validator 0 takes 10% commission; the user delegates as much as the operator's self-stake.
    c.step([
      c.tx(c.ops[0]!, { type: "edit-validator", value: { validator: v0, name: "v0", commission: 1_000 } }),
      c.tx(c.user, { type: "delegate", value: { validator: v0, amount: 1_000_000n } }),
    ]);
    c.toHeight(10n); // epoch 0 ends: vested, not yet paid (window 2)
    expect(withdrawableRewards(c.state.tree, c.ops[0]!.address).total).toBe(0n);
    c.toHeight(30n); // epoch 2 ends: epoch 0's rewards are released
    const share0 = 1_000_000n / 4n; // epoch 0: v0 had 1M stake of 4M (delegation counts from epoch 1)
    const commission = share0 / 10n;
    const half = (share0 - commission) / 2n;
    const op = withdrawableRewards(c.state.tree, c.ops[0]!.address).total;
    const user = withdrawableRewards(c.state.tree, c.user.address).total;
    expect(op).toBe(commission + half);
    expect(user).toBe(half);
    supplyOk(c, g);
    // Withdraw moves it to the balance; a second withdraw has nothing left.
    const before = getAccount(c.state, c.user.address).balance;
    expect(c.step([c.tx(c.user, { type: "withdraw-rewards", value: { version: 1 } })])).toEqual([]);
    expect(getAccount(c.state, c.user.address).balance).toBe(before + user);
    expect(c.step([c.tx(c.user, { type: "withdraw-rewards", value: { version: 1 } })])).toEqual([
      "TX_ZERO_AMOUNT",
    ]);
    supplyOk(c, g);
  });

  it("a delegation made after a payout earns nothing from it", () => {
    const c = productChain({ params: { challengeWindowEpochs: 0n } });
    const v1 = c.consensus[1]!.address;
    c.toHeight(10n); // epoch 0 released at once (window 0) to the operator's self-bond
    c.step([c.tx(c.user, { type: "delegate", value: { validator: v1, amount: 500_000n } })]);
    expect(withdrawableRewards(c.state.tree, c.user.address).total).toBe(0n);
    expect(withdrawableRewards(c.state.tree, c.ops[1]!.address).total).toBe(250_000n);
    // Undelegating settles the operator's earlier rewards into its account rather than losing them.
    c.step([c.tx(c.ops[1]!, { type: "unbond", value: { validator: v1, amount: 1_000n } })]);
    expect(withdrawableRewards(c.state.tree, c.ops[1]!.address).accrued).toBe(250_000n);
    expect(getValidator(c.state, v1)?.stake).toBe(1_499_000n);
  });
});
