import { describe, expect, it } from "vitest";
import {
  AttestationBodyCodec,
  boundedWorkWeight,
  getValidator,
  hashWorkReport,
  OracleCommitteeCodec,
  readOracle,
  readReport,
  signQuorum,
  type TxPayload,
  type WorkReport,
} from "../../../src/core/chain/index.js";
import { getPublicKey } from "../../../src/core/index.js";
import { type ProductChain, productChain } from "../../helpers/product.js";

const proof = new Uint8Array(32).fill(9);
function report(c: ProductChain, i: number, epoch: bigint, workUnits = 100n): WorkReport {
  return {
    version: 1,
    epoch,
    validator: c.consensus[i]!.address,
    workUnits,
    proofHash: proof,
    uri: "ipfs://x",
  };
}
function attest(
  c: ProductChain,
  r: WorkReport,
  score: number,
  signers = c.oracleSigners.slice(0, 2),
): TxPayload {
  const body = { epoch: r.epoch, validator: r.validator, score, reportHash: hashWorkReport(r) };
  const signatures = signQuorum(AttestationBodyCodec, "oracleAttest", c.genesis.chainId, body, signers);
  return { type: "oracle-attest", value: { version: 1, ...body, signatures } };
}

describe("work reports", () => {
  it("stores a report by the validator's operator for the current epoch", () => {
    const c = productChain();
    const r = report(c, 0, 0n);
    expect(c.step([c.tx(c.ops[0]!, { type: "work-report", value: r })])).toEqual([]);
    expect(readReport(c.state.tree, 0n, r.validator)).toMatchObject({
      status: "open",
      score: null,
      height: 1n,
    });
  });

  it("rejects a report by anyone but the operator, a second one, a future or stale epoch, a new version", () => {
    const c = productChain();
    const r = report(c, 0, 0n);
    expect(c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })])).toEqual(["TX_NOT_OPERATOR"]);
    expect(c.step([c.tx(c.ops[0]!, { type: "work-report", value: { ...r, epoch: 1n } })])).toEqual([
      "TX_OUT_OF_WINDOW",
    ]);
    expect(c.step([c.tx(c.ops[0]!, { type: "work-report", value: { ...r, version: 2 } })])).toEqual([
      "TX_BAD_ARGUMENT",
    ]);
    const c2 = productChain();
    c2.step([c2.tx(c2.ops[0]!, { type: "work-report", value: r })]);
    expect(c2.step([c2.tx(c2.ops[0]!, { type: "work-report", value: r })])).toEqual(["TX_DUPLICATE"]);
    c2.toHeight(20n); // epoch 2 begins at height 21
    expect(c2.step([c2.tx(c2.ops[1]!, { type: "work-report", value: report(c2, 1, 0n) })])).toEqual([
      "TX_OUT_OF_WINDOW",
    ]);
  });
});

describe("oracle attestations", () => {
  it("sets a bounded pending workWeight that takes effect at the epoch boundary", () => {
    const c = productChain();
    const r = report(c, 1, 0n);
    c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })]);
    expect(c.step([c.tx(c.ops[3]!, attest(c, r, 50_000))])).toEqual([]);
    // maxWorkWeightChangeBps 2000: at most +0.2 from 1.0 in one epoch.
    expect(getValidator(c.state, r.validator)).toMatchObject({
      workWeight: 10_000,
      pendingWorkWeight: 12_000,
    });
    c.toHeight(10n);
    expect(getValidator(c.state, r.validator)).toMatchObject({ workWeight: 12_000, pendingWorkWeight: null });
    const inSet = c.state.validatorSet.validators.find((v) =>
      v.address.every((b, i) => b === r.validator[i]),
    );
    expect(inSet?.workWeight).toBe(12_000n);
    expect(readReport(c.state.tree, 0n, r.validator)?.score).toBe(50_000);
  });

  it("bounds every step by maxWorkWeightChangeBps of max(workWeight, 1.0), both ways", () => {
    const p = { maxWorkWeightChangeBps: 2_000 };
    expect(boundedWorkWeight(10_000, 0, p)).toBe(8_000);
    expect(boundedWorkWeight(0, 1_000_000, p)).toBe(2_000);
    expect(boundedWorkWeight(100_000, 0, p)).toBe(80_000);
    expect(boundedWorkWeight(10_000, 10_500, p)).toBe(10_500);
    expect(boundedWorkWeight(10_000, 10_000, { maxWorkWeightChangeBps: 0 })).toBe(10_000);
  });

  it("rejects too few signatures, a forged one, a repeated member, a wrong reportHash and a second attestation", () => {
    const c = productChain();
    const r = report(c, 1, 0n);
    c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })]);
    const one = attest(c, r, 20_000, c.oracleSigners.slice(0, 1));
    expect(c.step([c.tx(c.ops[3]!, one)])).toEqual(["TX_BAD_QUORUM"]);
    const good = attest(c, r, 20_000);
    if (good.type !== "oracle-attest") throw new Error("unreachable");
    const forged = structuredClone(good);
    if (forged.type !== "oracle-attest") throw new Error("unreachable");
    forged.value.signatures[1]!.signature[0]! ^= 1;
    expect(c.step([c.tx(c.ops[3]!, forged)])).toEqual(["TX_BAD_QUORUM"]);
    const twice = structuredClone(good);
    if (twice.type !== "oracle-attest") throw new Error("unreachable");
    twice.value.signatures[1] = twice.value.signatures[0]!;
    expect(c.step([c.tx(c.ops[3]!, twice)])).toEqual(["TX_BAD_QUORUM"]);
    const otherScore = { ...good, value: { ...good.value, score: 30_000 } };
    expect(c.step([c.tx(c.ops[3]!, otherScore)])).toEqual(["TX_BAD_QUORUM"]);
    const wrongHash = attest(c, { ...r, workUnits: 1n }, 20_000);
    expect(c.step([c.tx(c.ops[3]!, wrongHash)])).toEqual(["TX_BAD_ARGUMENT"]);
    expect(c.step([c.tx(c.ops[3]!, good)])).toEqual([]);
    expect(c.step([c.tx(c.ops[3]!, good)])).toEqual(["TX_DUPLICATE"]);
  });

  it("a signature over another chain id does not count (domain-tagged with the chain id)", () => {
    const c = productChain();
    const r = report(c, 1, 0n);
    c.step([c.tx(c.ops[1]!, { type: "work-report", value: r })]);
    const body = { epoch: r.epoch, validator: r.validator, score: 20_000, reportHash: hashWorkReport(r) };
    const signatures = signQuorum(AttestationBodyCodec, "oracleAttest", "other-chain", body, c.oracleSigners);
    expect(
      c.step([c.tx(c.ops[3]!, { type: "oracle-attest", value: { version: 1, ...body, signatures } })]),
    ).toEqual(["TX_BAD_QUORUM"]);
  });
});

describe("committee rotation", () => {
  it("M of the current committee install the next one; the old members then count for nothing", () => {
    const c = productChain();
    const newKeys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const next = { version: 1n, threshold: 2, members: newKeys.map((k) => getPublicKey(k)) };
    const sigs = signQuorum(
      OracleCommitteeCodec,
      "oracleRotate",
      c.genesis.chainId,
      next,
      c.oracleSigners.slice(1),
    );
    const rotate: TxPayload = { type: "oracle-rotate", value: { version: 1, next, signatures: sigs } };
    expect(c.step([c.tx(c.ops[2]!, rotate)])).toEqual([]);
    expect(readOracle(c.state.tree)?.version).toBe(1n);
    // Replaying the same rotation: the version no longer follows.
    expect(c.step([c.tx(c.ops[2]!, rotate)])).toEqual(["TX_BAD_ARGUMENT"]);
    const r = report(c, 0, 0n);
    c.step([c.tx(c.ops[0]!, { type: "work-report", value: r })]);
    expect(c.step([c.tx(c.ops[2]!, attest(c, r, 20_000))])).toEqual(["TX_BAD_QUORUM"]);
    const fresh = newKeys.map((secretKey, member) => ({ member, secretKey }));
    expect(c.step([c.tx(c.ops[2]!, attest(c, r, 20_000, fresh))])).toEqual([]);
  });

  it("refuses a committee whose threshold exceeds its size", () => {
    const c = productChain();
    const next = { version: 1n, threshold: 3, members: [getPublicKey(new Uint8Array(32).fill(1))] };
    const sigs = signQuorum(OracleCommitteeCodec, "oracleRotate", c.genesis.chainId, next, c.oracleSigners);
    expect(
      c.step([c.tx(c.ops[2]!, { type: "oracle-rotate", value: { version: 1, next, signatures: sigs } })]),
    ).toEqual(["TX_BAD_ARGUMENT"]);
  });
});
