import type { TxPayload } from "../../src/core/chain/tx.js";

/**
 * One payload of every tx type the transfer and bond seeds do not cover (staking, product layer), so the
 * fuzzer mutates valid encodings of each variant of the tx union instead of reaching them only by a
 * mutated tag followed by bytes that rarely fit (issue 23 item 1). The values only need to encode: the
 * fuzz targets decode, they do not execute.
 */
export function otherPayloads(validator: Uint8Array): TxPayload[] {
  const h = (b: number) => new Uint8Array(32).fill(b);
  const sigs = (n: number) =>
    Array.from({ length: n }, (_, member) => ({ member, signature: new Uint8Array(64).fill(member + 1) }));
  return [
    { type: "unbond", value: { validator, amount: 10n } },
    { type: "delegate", value: { validator, amount: 20n } },
    { type: "undelegate", value: { validator, amount: 5n } },
    { type: "unjail", value: { validator } },
    { type: "edit-validator", value: { validator, name: "val-renamed", commission: 500 } },
    { type: "set-work-weight", value: { validator, workWeight: 12_000 } },
    {
      type: "work-report",
      value: { version: 1, epoch: 3n, validator, workUnits: 12n, proofHash: h(1), uri: "ipfs://report" },
    },
    {
      type: "oracle-attest",
      value: { version: 1, epoch: 3n, validator, score: 15_000, reportHash: h(2), signatures: sigs(2) },
    },
    { type: "challenge", value: { version: 1, epoch: 3n, validator, evidenceHash: h(3), uri: "ipfs://e" } },
    {
      type: "resolve-challenge",
      value: { version: 1, epoch: 3n, validator, verdict: "fraud", signatures: sigs(3) },
    },
    {
      type: "oracle-rotate",
      value: { version: 1, next: { version: 2n, threshold: 2, members: [h(5), h(6)] }, signatures: sigs(2) },
    },
    { type: "withdraw-rewards", value: { version: 1 } },
    { type: "billing-open", value: { version: 1, deposit: 10n } },
    { type: "billing-deposit", value: { escrow: h(7), amount: 5n } },
    { type: "billing-invoice", value: { version: 1, escrow: h(7), validator, amount: 9n, usageHash: h(8) } },
    { type: "settle", value: { escrow: h(7), invoices: [0, 2] } },
    { type: "billing-close", value: { escrow: h(7) } },
    { type: "billing-refund", value: { escrow: h(7) } },
  ];
}
