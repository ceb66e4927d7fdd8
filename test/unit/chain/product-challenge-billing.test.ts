import { describe, expect, it } from "vitest";
import {
  burnedSupply,
  escrowIdOf,
  getAccount,
  getValidator,
  hashWorkReport,
  mintedSupply,
  REWARD_POOL_KEY,
  ResolutionBodyCodec,
  readEscrow,
  readReport,
  readU64,
  signQuorum,
  totalSupply,
  type Verdict,
  vestingKey,
  type WorkReport,
} from "../../../src/core/chain/index.js";
import { type ProductChain, productChain } from "../../helpers/product.js";

const evidence = new Uint8Array(32).fill(5);
function reportOf(c: ProductChain, i: number, epoch: bigint): WorkReport {
  return {
    version: 1,
    epoch,
    validator: c.consensus[i]!.address,
    workUnits: 1_000_000n,
    proofHash: new Uint8Array(32).fill(3),
    uri: "https://example.invalid/proof",
  };
}
function resolve(c: ProductChain, r: WorkReport, verdict: Verdict) {
  const body = {
    epoch: r.epoch,
    validator: r.validator,
    verdict,
    reportHash: hashWorkReport(r),
    evidenceHash: evidence,
  };
  const signatures = signQuorum(
    ResolutionBodyCodec,
    "oracleResolve",
    c.genesis.chainId,
    body,
    c.oracleSigners,
  );
  return {
    type: "resolve-challenge" as const,
    value: { version: 1, epoch: r.epoch, validator: r.validator, verdict, signatures },
  };
}
const challenge = (r: WorkReport) => ({
  type: "challenge" as const,
  value: { version: 1, epoch: r.epoch, validator: r.validator, evidenceHash: evidence, uri: "" },
});
const supplyOk = (c: ProductChain, g: bigint) =>
  expect(totalSupply(c.state) + burnedSupply(c.state)).toBe(g + mintedSupply(c.state));

describe("challenges", () => {
  it("fraud: the reporter is slashed, its epoch reward forfeited, the challenger repaid with a share", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    const r = reportOf(c, 2, 0n);
    c.step([c.tx(c.ops[2]!, { type: "work-report", value: r })]);
    c.toHeight(10n); // epoch 0 ends: 250000 vests for validator 2
    const userBefore = getAccount(c.state, c.user.address).balance;
    expect(c.step([c.tx(c.user, challenge(r))])).toEqual([]);
    expect(getAccount(c.state, c.user.address).balance).toBe(userBefore - c.params.challengeBond);
    supplyOk(c, g);
    expect(c.step([c.tx(c.ops[0]!, resolve(c, r, "fraud"))])).toEqual([]);
    const slashed = (1_000_000n * BigInt(c.params.slashFractionFraud)) / 10_000n;
    const share = (slashed * BigInt(c.params.challengerRewardBps)) / 10_000n;
    expect(getValidator(c.state, r.validator)?.stake).toBe(1_000_000n - slashed);
    expect(burnedSupply(c.state)).toBe(slashed - share);
    expect(getAccount(c.state, c.user.address).balance).toBe(userBefore + share);
    expect(readU64(c.state.tree, vestingKey(0n, r.validator))).toBe(0n);
    expect(readU64(c.state.tree, REWARD_POOL_KEY)).toBe(250_000n);
    expect(readReport(c.state.tree, 0n, r.validator)?.status).toBe("fraud");
    supplyOk(c, g);
    // A resolved report cannot be challenged again.
    expect(c.step([c.tx(c.user, challenge(r))])).toEqual(["TX_DUPLICATE"]);
  });

  it("fraud found before the epoch ends: that epoch's reward never vests for the reporter", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    const r = reportOf(c, 2, 0n);
    c.step([c.tx(c.ops[2]!, { type: "work-report", value: r })]);
    expect(c.step([c.tx(c.user, challenge(r))])).toEqual([]);
    expect(c.step([c.tx(c.ops[0]!, resolve(c, r, "fraud"))])).toEqual([]);
    expect(c.state.height).toBeLessThan(10n); // still in epoch 0
    c.toHeight(10n); // epoch 0 ends
    expect(readU64(c.state.tree, vestingKey(0n, r.validator))).toBe(0n);
    expect(readU64(c.state.tree, vestingKey(0n, c.consensus[0]!.address))).toBeGreaterThan(0n);
    supplyOk(c, g);
  });

  it("rejected: the challenger loses its bond to the pool; the held reward is released after the window", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    const r = reportOf(c, 1, 0n);
    c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })]);
    c.step([c.tx(c.user, challenge(r))]);
    c.toHeight(30n); // epoch 2 ends: epoch 0 would be released, but the challenge holds validator 1's
    expect(readU64(c.state.tree, vestingKey(0n, r.validator))).toBe(250_000n);
    expect(readU64(c.state.tree, vestingKey(0n, c.consensus[0]!.address))).toBe(0n);
    const pool = readU64(c.state.tree, REWARD_POOL_KEY);
    expect(c.step([c.tx(c.ops[0]!, resolve(c, r, "rejected"))])).toEqual([]);
    expect(readU64(c.state.tree, REWARD_POOL_KEY)).toBe(pool + c.params.challengeBond);
    expect(readU64(c.state.tree, vestingKey(0n, r.validator))).toBe(0n); // released now
    expect(getValidator(c.state, r.validator)?.stake).toBe(1_000_000n);
    supplyOk(c, g);
  });

  it("rejects a challenge after the window, one without a report, and a verdict signed for other evidence", () => {
    const c = productChain();
    const r = reportOf(c, 1, 0n);
    expect(c.step([c.tx(c.user, challenge(r))])).toEqual(["TX_NOT_FOUND"]);
    c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })]);
    c.step([c.tx(c.user, challenge(r))]);
    const other = resolve(c, r, "fraud");
    const sigsFor = signQuorum(
      ResolutionBodyCodec,
      "oracleResolve",
      c.genesis.chainId,
      {
        epoch: 0n,
        validator: r.validator,
        verdict: "fraud",
        reportHash: hashWorkReport(r),
        evidenceHash: new Uint8Array(32),
      },
      c.oracleSigners,
    );
    expect(c.step([c.tx(c.ops[0]!, { ...other, value: { ...other.value, signatures: sigsFor } })])).toEqual([
      "TX_BAD_QUORUM",
    ]);
    const late = productChain();
    const r2 = reportOf(late, 0, 0n);
    late.step([late.tx(late.ops[0]!, { type: "work-report", value: r2 })]);
    late.toHeight(30n); // epoch 3 starts at 31: past 0 + window 2
    expect(late.step([late.tx(late.user, challenge(r2))])).toEqual(["TX_OUT_OF_WINDOW"]);
  });
});

describe("billing", () => {
  it("open → invoice → settle pays validators minus the protocol fee; close → refund returns the rest", () => {
    const c = productChain();
    const g = totalSupply(c.state);
    const escrow = escrowIdOf(c.user.address, getAccount(c.state, c.user.address).nonce);
    c.step([c.tx(c.user, { type: "billing-open", value: { version: 1, deposit: 100_000n } })]);
    expect(readEscrow(c.state.tree, escrow)).toMatchObject({ balance: 100_000n, open: [] });
    c.step([c.tx(c.user, { type: "billing-deposit", value: { escrow, amount: 50_000n } })]);
    const usageHash = new Uint8Array(32).fill(1);
    const v1 = c.consensus[1]!.address;
    const invoice = { version: 1, escrow, validator: v1, amount: 40_000n, usageHash };
    expect(c.step([c.tx(c.ops[2]!, { type: "billing-invoice", value: invoice })])).toEqual([
      "TX_NOT_OPERATOR",
    ]);
    c.step([c.tx(c.ops[1]!, { type: "billing-invoice", value: invoice })]);
    c.step([c.tx(c.ops[1]!, { type: "billing-invoice", value: { ...invoice, amount: 10_000n } })]);
    expect(readEscrow(c.state.tree, escrow)?.open).toEqual([0, 1]);
    const opBefore = getAccount(c.state, c.ops[1]!.address).balance;
    expect(c.step([c.tx(c.ops[1]!, { type: "settle", value: { escrow, invoices: [0] } })])).toEqual([
      "TX_NOT_AUTHORIZED",
    ]);
    expect(c.step([c.tx(c.user, { type: "settle", value: { escrow, invoices: [0] } })])).toEqual([]);
    const fee = (40_000n * BigInt(c.params.protocolFeeBps)) / 10_000n;
    expect(getAccount(c.state, c.ops[1]!.address).balance).toBe(opBefore + 40_000n - fee);
    expect(readEscrow(c.state.tree, escrow)).toMatchObject({ balance: 110_000n, open: [1] });
    expect(c.step([c.tx(c.user, { type: "settle", value: { escrow, invoices: [0] } })])).toEqual([
      "TX_NOT_FOUND",
    ]);
    supplyOk(c, g);
    // Refund only after close + notice; the open invoice is paid first.
    expect(c.step([c.tx(c.user, { type: "billing-refund", value: { escrow } })])).toEqual([
      "TX_OUT_OF_WINDOW",
    ]);
    c.step([c.tx(c.user, { type: "billing-close", value: { escrow } })]);
    expect(c.step([c.tx(c.user, { type: "billing-refund", value: { escrow } })])).toEqual([
      "TX_OUT_OF_WINDOW",
    ]);
    c.toHeight(20n); // notice: 2 epochs from epoch 0 → refund from epoch 2 (height 21)
    const userBefore = getAccount(c.state, c.user.address).balance;
    expect(c.step([c.tx(c.user, { type: "billing-refund", value: { escrow } })])).toEqual([]);
    expect(getAccount(c.state, c.user.address).balance).toBe(userBefore + 100_000n);
    expect(readEscrow(c.state.tree, escrow)).toBeUndefined();
    supplyOk(c, g);
  });

  it("an invoice above the escrow balance is not settled", () => {
    const c = productChain();
    const escrow = escrowIdOf(c.user.address, 0n);
    c.step([c.tx(c.user, { type: "billing-open", value: { version: 1, deposit: 10n } })]);
    const v0 = c.consensus[0]!.address;
    c.step([
      c.tx(c.ops[0]!, {
        type: "billing-invoice",
        value: { version: 1, escrow, validator: v0, amount: 11n, usageHash: evidence },
      }),
    ]);
    expect(c.step([c.tx(c.user, { type: "settle", value: { escrow, invoices: [0] } })])).toEqual([
      "TX_INSUFFICIENT_FUNDS",
    ]);
  });
});
