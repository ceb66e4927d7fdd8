import { describe, expect, it } from "vitest";
import {
  createTx,
  decodeTx,
  encodeTx,
  MAX_ORACLE_MEMBERS,
  PRESETS,
  type TxPayload,
  txFromJson,
  txToJson,
} from "../../../src/core/chain/index.js";
import { TxPayloadCodec } from "../../../src/core/chain/tx.js";
import { CodecError, encode } from "../../../src/core/codec/index.js";

const h = (b: number) => new Uint8Array(32).fill(b);
const a = new Uint8Array(20).fill(4);
const sigs = (n: number) =>
  Array.from({ length: n }, (_, member) => ({ member, signature: new Uint8Array(64).fill(member) }));
const payloads: TxPayload[] = [
  {
    type: "work-report",
    value: { version: 1, epoch: 3n, validator: a, workUnits: 12n, proofHash: h(1), uri: "ipfs://x" },
  },
  {
    type: "oracle-attest",
    value: { version: 1, epoch: 3n, validator: a, score: 15_000, reportHash: h(2), signatures: sigs(2) },
  },
  { type: "challenge", value: { version: 1, epoch: 3n, validator: a, evidenceHash: h(3), uri: "" } },
  {
    type: "resolve-challenge",
    value: { version: 1, epoch: 3n, validator: a, verdict: "fraud", signatures: sigs(3) },
  },
  {
    type: "oracle-rotate",
    value: { version: 1, next: { version: 1n, threshold: 2, members: [h(5), h(6)] }, signatures: sigs(2) },
  },
  { type: "withdraw-rewards", value: { version: 1 } },
  { type: "billing-open", value: { version: 1, deposit: 10n } },
  { type: "billing-deposit", value: { escrow: h(7), amount: 5n } },
  { type: "billing-invoice", value: { version: 1, escrow: h(7), validator: a, amount: 9n, usageHash: h(8) } },
  { type: "settle", value: { escrow: h(7), invoices: [0, 2] } },
  { type: "billing-close", value: { escrow: h(7) } },
  { type: "billing-refund", value: { escrow: h(7) } },
];
const sk = new Uint8Array(32).fill(1);

describe("product payload codec and JSON form", () => {
  it.each(payloads.map((p) => [p.type, p] as const))(
    "%s: bytes and JSON round-trip exactly",
    (_t, payload) => {
      const tx = createTx({ chainId: "c", secretKey: sk, nonce: 1n, payload });
      const bytes = encodeTx(tx);
      expect(encodeTx(decodeTx(bytes.slice()))).toEqual(bytes);
      const viaJson = txFromJson(JSON.parse(JSON.stringify(txToJson(tx))));
      expect(encode(TxPayloadCodec, viaJson.body.payload)).toEqual(encode(TxPayloadCodec, payload));
    },
  );

  it("the largest payload (a full committee rotation with all signatures) fits the default maxTxBytes", () => {
    const members = Array.from({ length: MAX_ORACLE_MEMBERS }, (_, i) => h(i));
    const payload: TxPayload = {
      type: "oracle-rotate",
      value: {
        version: 1,
        next: { version: 9n, threshold: 32, members },
        signatures: sigs(MAX_ORACLE_MEMBERS),
      },
    };
    const tx = createTx({ chainId: "c".repeat(64), secretKey: sk, nonce: 1n, payload });
    expect(encodeTx(tx).length).toBeLessThanOrEqual(PRESETS.dev.maxTxBytes);
  });

  it("rejects more than 32 signatures and a uri over 256 bytes", () => {
    expect(() =>
      encode(TxPayloadCodec, { type: "withdraw-rewards", value: { version: 1 } } as TxPayload),
    ).not.toThrow();
    const tooMany = {
      ...payloads[1],
      value: { ...(payloads[1] as { value: object }).value, signatures: sigs(33) },
    };
    expect(() => encode(TxPayloadCodec, tooMany as TxPayload)).toThrow(CodecError);
    const longUri = {
      ...payloads[0],
      value: { ...(payloads[0] as { value: object }).value, uri: "x".repeat(257) },
    };
    expect(() => encode(TxPayloadCodec, longUri as TxPayload)).toThrow(CodecError);
  });

  it("JSON with an unknown field is TX_MALFORMED", () => {
    const j = txToJson(
      createTx({ chainId: "c", secretKey: sk, nonce: 1n, payload: payloads[6] as TxPayload }),
    );
    expect(() => txFromJson({ ...j, payload: { ...j.payload, bogus: 1 } })).toThrow(/malformed tx JSON/);
  });
});
