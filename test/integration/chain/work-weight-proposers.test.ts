import { describe, expect, it } from "vitest";
import {
  AttestationBodyCodec,
  hashWorkReport,
  signQuorum,
  type WorkReport,
} from "../../../src/core/chain/index.js";
import { bytesEqual } from "../../../src/core/index.js";
import { productChain } from "../../helpers/product.js";

/**
 * The whole path on the real state machine (buildBlock → applyBlock with real commits): a work report, an
 * M-of-N attestation, the epoch boundary — and validator 0's share of proposals follows its workWeight.
 */
describe("attested workWeight drives proposer frequency", () => {
  it("a validator attested 3.0 steps to 2.0 (bounded) and proposes 2 of 5 blocks after the boundary, 1 of 4 before", () => {
    const c = productChain({
      params: { maxWorkWeightChangeBps: 10_000, epochLength: 60n, evidenceMaxAgeBlocks: 60n },
    });
    const v0 = c.consensus[0]!.address;
    const r: WorkReport = {
      version: 1,
      epoch: 0n,
      validator: v0,
      workUnits: 300n,
      proofHash: new Uint8Array(32),
      uri: "",
    };
    const body = { epoch: 0n, validator: v0, score: 30_000, reportHash: hashWorkReport(r) };
    const signatures = signQuorum(
      AttestationBodyCodec,
      "oracleAttest",
      c.genesis.chainId,
      body,
      c.oracleSigners.slice(1),
    );
    c.step([c.tx(c.ops[0]!, { type: "work-report", value: r })]);
    c.step([c.tx(c.ops[1]!, { type: "oracle-attest", value: { version: 1, ...body, signatures } })]);
    c.toHeight(180n);
    const count = (from: number, to: number) =>
      c.proposers.slice(from, to).filter((p) => bytesEqual(p, v0)).length;
    // Epoch 0 (heights 1–60): workWeight 1.0 for all → 1/4 of 60.
    expect(count(0, 60)).toBe(15);
    // maxWorkWeightChangeBps 10000 lets it step 1.0 → 2.0 in one epoch (the bound holds it below 3.0).
    // Epoch 1 (61–120): weight 2 / (2+1+1+1) → 24 of 60.
    expect(count(60, 120)).toBe(24);
    // Epoch 2: unchanged (one attestation, one step).
    expect(count(120, 180)).toBe(24);
  });
});
