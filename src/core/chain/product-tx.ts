import { enumOf, fixedBytes, string, struct, u8, u32, u64, type ValueOf, vector } from "../codec/index.js";
import { Address20, Hash32, PublicKey32, Signature64 } from "./vote.js";

/**
 * Payloads of the product layer (docs/product-layer.md, issue 18): work reports, oracle attestations and
 * committee rotation, challenges, reward withdrawal and billing. Each payload that a product or an oracle
 * builds carries a `version` (u8, today 1) so its layout can change later under a new version without a new
 * tx tag; applying any other version is TX_BAD_ARGUMENT. Every variable-size field is bounded, so the
 * largest payload (a rotation of a full committee with all signatures) stays under the default maxTxBytes.
 */

/** The only payload version accepted today. */
export const PRODUCT_PAYLOAD_VERSION = 1;
/** Most oracle committee members (and so signatures in one payload). */
export const MAX_ORACLE_MEMBERS = 32;
/** Longest `uri` of a report or challenge, in UTF-8 bytes. */
export const MAX_URI_BYTES = 256;
/** Most invoices one `settle` pays. */
export const MAX_SETTLE_INVOICES = 64;

/** One committee member's signature: `member` indexes the committee's member list. */
export const OracleSignatureCodec = struct({ member: u8, signature: Signature64 });
/** Member signatures, strictly increasing by member index (checked when applied). */
export const OracleSignaturesCodec = vector(OracleSignatureCodec, MAX_ORACLE_MEMBERS);
export type OracleSignature = ValueOf<typeof OracleSignatureCodec>;

/**
 * `work-report` (tag 9), by the validator's operator: `workUnits` of work done in `epoch`, committed to by
 * `proofHash` (SHA-256 over the product's evidence, see the doc for the recipe), `uri` where a verifier
 * fetches that evidence.
 */
export const WorkReportCodec = struct({
  version: u8,
  epoch: u64,
  validator: Address20,
  workUnits: u64,
  proofHash: Hash32,
  uri: string(MAX_URI_BYTES),
});
export type WorkReport = ValueOf<typeof WorkReportCodec>;

/** What each oracle member signs for an attestation (domain `oracleAttest`, chain id in the prefix). */
export const AttestationBodyCodec = struct({
  epoch: u64,
  validator: Address20,
  /** Fixed point like workWeight: 10000 = 1.0. */
  score: u32,
  /** SHA-256 of the report's canonical payload encoding (`hashWorkReport`). */
  reportHash: Hash32,
});
export type AttestationBody = ValueOf<typeof AttestationBodyCodec>;

/** `oracle-attest` (tag 13): anyone may submit it; the M member signatures authorise it. */
export const OracleAttestCodec = struct({
  version: u8,
  epoch: u64,
  validator: Address20,
  score: u32,
  reportHash: Hash32,
  signatures: OracleSignaturesCodec,
});

/** `challenge` (tag 10): disputes a report, bonding `challengeBond`. */
export const ChallengeCodec = struct({
  version: u8,
  epoch: u64,
  validator: Address20,
  /** SHA-256 of the challenger's counter-evidence. */
  evidenceHash: Hash32,
  uri: string(MAX_URI_BYTES),
});

export const VerdictCodec = enumOf(["fraud", "rejected"] as const);
export type Verdict = ValueOf<typeof VerdictCodec>;

/** What each member signs to resolve a challenge (domain `oracleResolve`). */
export const ResolutionBodyCodec = struct({
  epoch: u64,
  validator: Address20,
  verdict: VerdictCodec,
  reportHash: Hash32,
  evidenceHash: Hash32,
});
export type ResolutionBody = ValueOf<typeof ResolutionBodyCodec>;

/** `resolve-challenge` (tag 14). */
export const ResolveChallengeCodec = struct({
  version: u8,
  epoch: u64,
  validator: Address20,
  verdict: VerdictCodec,
  signatures: OracleSignaturesCodec,
});

/** The committee as stored and as signed in a rotation. `version` counts rotations (replay guard). */
export const OracleCommitteeCodec = struct({
  version: u64,
  threshold: u8,
  members: vector(PublicKey32, MAX_ORACLE_MEMBERS),
});
export type OracleCommittee = ValueOf<typeof OracleCommitteeCodec>;

/** `oracle-rotate` (tag 15): the next committee (version = current + 1), signed by M of the current. */
export const OracleRotateCodec = struct({
  version: u8,
  next: OracleCommitteeCodec,
  signatures: OracleSignaturesCodec,
});

/** `withdraw-rewards` (tag 16): moves all the sender's accrued rewards to its balance. */
export const WithdrawRewardsCodec = struct({ version: u8 });

/** An escrow is named by SHA-256(owner ‖ u64 nonce of the opening tx). */
export const EscrowId = fixedBytes(32);
/** `billing-open` (tag 17): a new escrow owned by the sender, funded with `deposit`. */
export const BillingOpenCodec = struct({ version: u8, deposit: u64 });
/** `billing-deposit` (tag 18): adds to an escrow (anyone may fund one). */
export const BillingDepositCodec = struct({ escrow: EscrowId, amount: u64 });
/** `billing-invoice` (tag 19), by a validator's operator: usage owed by an escrow. */
export const BillingInvoiceCodec = struct({
  version: u8,
  escrow: EscrowId,
  validator: Address20,
  amount: u64,
  /** SHA-256 of the product's usage record. */
  usageHash: Hash32,
});
/** `settle` (tag 11), by the escrow owner: pays the listed invoices. */
export const BillingSettleCodec = struct({ escrow: EscrowId, invoices: vector(u32, MAX_SETTLE_INVOICES) });
/** `billing-close` (tag 20) and `billing-refund` (tag 21), by the owner. */
export const EscrowRefCodec = struct({ escrow: EscrowId });
