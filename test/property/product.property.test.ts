import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AttestationBodyCodec,
  burnedSupply,
  escrowIdOf,
  getAccount,
  hashWorkReport,
  MINTED_KEY,
  mintedSupply,
  ResolutionBodyCodec,
  readEscrow,
  readReport,
  readU64,
  signQuorum,
  type Tx,
  type TxPayload,
  totalSupply,
} from "../../src/core/chain/index.js";
import { productChain } from "../helpers/product.js";

/**
 * Random product-layer activity over several epochs (reports, attestations, challenges and verdicts,
 * delegations, withdrawals, escrows with invoices, settles and refunds). After every block:
 * totalSupply + burned = genesis supply + minted, minted = rewardPerEpoch × boundaries passed, and each
 * escrow's balance = deposits − what left it (settled invoices + refund).
 */
const N = 4;
const who = fc.integer({ min: 0, max: N - 1 });
const op = fc.record({
  kind: fc.constantFrom(
    "report",
    "attest",
    "challenge",
    "resolve",
    "delegate",
    "undelegate",
    "withdraw",
    "open",
    "deposit",
    "invoice",
    "settle",
    "close",
    "refund",
  ),
  v: who,
  amount: fc.bigInt({ min: 1n, max: 300_000n }),
  score: fc.integer({ min: 0, max: 60_000 }),
  fraud: fc.boolean(),
});
type Op = { kind: string; v: number; amount: bigint; score: number; fraud: boolean };

describe("product layer supply (property)", () => {
  it("rewards are minted exactly, slashes burned, escrows balanced", () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 3 }), { minLength: 20, maxLength: 45 }), (blocks) => {
        const c = productChain({ validators: N });
        const genesisSupply = totalSupply(c.state);
        const escrows: { id: Uint8Array; in: bigint; out: bigint }[] = [];
        for (const ops of blocks) {
          const txs: Tx[] = [];
          const epoch = c.state.height / c.params.epochLength; // epoch of the next block (approx. at edges)
          for (const o of ops) {
            const payload = payloadFor(c, o, epoch, escrows);
            if (!payload) continue;
            const sender =
              o.kind === "report" || o.kind === "invoice"
                ? c.ops[o.v]!
                : o.kind === "delegate" || o.kind === "undelegate" || o.kind === "withdraw"
                  ? c.ops[(o.v + 1) % N]!
                  : c.user;
            txs.push(c.tx(sender, payload));
          }
          const before = new Map(escrows.map((e) => [e.id, readEscrow(c.state.tree, e.id)?.balance ?? 0n]));
          c.step(txs);
          for (const e of escrows) {
            const now = readEscrow(c.state.tree, e.id)?.balance ?? 0n;
            const was = before.get(e.id) ?? 0n;
            if (now > was) e.in += now - was;
            else e.out += was - now;
            expect(now).toBe(e.in - e.out);
          }
          expect(totalSupply(c.state) + burnedSupply(c.state)).toBe(genesisSupply + mintedSupply(c.state));
          const boundaries = c.state.height / c.params.epochLength;
          expect(readU64(c.state.tree, MINTED_KEY)).toBe(boundaries * c.params.rewardPerEpoch);
        }
      }),
      { numRuns: 12 },
    );
  });
});

function payloadFor(
  c: ReturnType<typeof productChain>,
  o: Op,
  epoch: bigint,
  escrows: { id: Uint8Array; in: bigint; out: bigint }[],
): TxPayload | null {
  const validator = c.consensus[o.v]!.address;
  const prev = epoch > 0n ? epoch - 1n : 0n;
  const rec = readReport(c.state.tree, prev, validator) ?? readReport(c.state.tree, epoch, validator);
  const escrow = escrows[o.v % Math.max(escrows.length, 1)];
  switch (o.kind) {
    case "report":
      return {
        type: "work-report",
        value: { version: 1, epoch, validator, workUnits: o.amount, proofHash: new Uint8Array(32), uri: "" },
      };
    case "attest": {
      if (!rec) return null;
      const body = {
        epoch: rec.report.epoch,
        validator,
        score: o.score,
        reportHash: hashWorkReport(rec.report),
      };
      const signatures = signQuorum(
        AttestationBodyCodec,
        "oracleAttest",
        c.genesis.chainId,
        body,
        c.oracleSigners.slice(0, 2),
      );
      return { type: "oracle-attest", value: { version: 1, ...body, signatures } };
    }
    case "challenge":
      if (!rec) return null;
      return {
        type: "challenge",
        value: { version: 1, epoch: rec.report.epoch, validator, evidenceHash: new Uint8Array(32), uri: "" },
      };
    case "resolve": {
      if (!rec) return null;
      const verdict = o.fraud ? ("fraud" as const) : ("rejected" as const);
      const body = {
        epoch: rec.report.epoch,
        validator,
        verdict,
        reportHash: hashWorkReport(rec.report),
        evidenceHash: new Uint8Array(32),
      };
      const signatures = signQuorum(
        ResolutionBodyCodec,
        "oracleResolve",
        c.genesis.chainId,
        body,
        c.oracleSigners,
      );
      return {
        type: "resolve-challenge",
        value: { version: 1, epoch: rec.report.epoch, validator, verdict, signatures },
      };
    }
    case "delegate":
      return { type: "delegate", value: { validator, amount: o.amount } };
    case "undelegate":
      return { type: "undelegate", value: { validator, amount: o.amount / 4n + 1n } };
    case "withdraw":
      return { type: "withdraw-rewards", value: { version: 1 } };
    case "open": {
      const id = escrowIdOf(c.user.address, getAccount(c.state, c.user.address).nonce);
      if (!escrows.some((e) => e.id.every((b, i) => b === id[i]))) escrows.push({ id, in: 0n, out: 0n });
      return { type: "billing-open", value: { version: 1, deposit: o.amount } };
    }
    case "deposit":
      return escrow ? { type: "billing-deposit", value: { escrow: escrow.id, amount: o.amount } } : null;
    case "invoice":
      return escrow
        ? {
            type: "billing-invoice",
            value: {
              version: 1,
              escrow: escrow.id,
              validator,
              amount: o.amount / 2n + 1n,
              usageHash: new Uint8Array(32),
            },
          }
        : null;
    case "settle": {
      if (!escrow) return null;
      const open = readEscrow(c.state.tree, escrow.id)?.open ?? [];
      return open.length ? { type: "settle", value: { escrow: escrow.id, invoices: [open[0]!] } } : null;
    }
    case "close":
      return escrow ? { type: "billing-close", value: { escrow: escrow.id } } : null;
    case "refund":
      return escrow ? { type: "billing-refund", value: { escrow: escrow.id } } : null;
  }
  return null;
}
