/**
 * SDK methods of the product layer (docs/product-layer.md): each builds a payload, signs it locally (keys
 * never leave the process) and submits it through `send`. Oracle members' signatures are made here too, so
 * an oracle service holding M member keys can attest with one call.
 */
import { signQuorum } from "../core/chain/apply/oracle-quorum.js";
import { escrowIdOf } from "../core/chain/product-state.js";
import {
  AttestationBodyCodec,
  OracleCommitteeCodec,
  ResolutionBodyCodec,
  PRODUCT_PAYLOAD_VERSION as V,
  type Verdict,
} from "../core/chain/product-tx.js";
import type { TxPayload } from "../core/chain/tx.js";
import { fromHex, toHex } from "../core/codec/index.js";
import { addressBytes, decodeAddress, getPublicKey } from "../core/crypto/index.js";

type Send = (t: { secretKey: Uint8Array; payload: TxPayload; fee?: bigint }) => Promise<{
  hash: string;
  status: "pending";
  from: string;
  nonce: bigint;
}>;
/** An oracle member's key with its index in the committee. */
export interface OracleSigner {
  member: number;
  secretKey: Uint8Array;
}
type Signer = { secretKey: Uint8Array; fee?: bigint };
/** fp1…/0x-hex validator address or 20 raw bytes. */
type AddressIn = string | Uint8Array;
const addr = (a: AddressIn) =>
  typeof a !== "string" ? a : a.startsWith("0x") ? fromHex(a, 20) : decodeAddress(a);
const hash32 = (h: string | Uint8Array) => (typeof h === "string" ? fromHex(h, 32) : h);

export function productMethods(send: Send, chainId: () => Promise<string>) {
  const go = (s: Signer, payload: TxPayload) =>
    send({ secretKey: s.secretKey, payload, ...(s.fee !== undefined ? { fee: s.fee } : {}) });
  return {
    /** `work-report` by the validator's operator. */
    reportWork: (
      s: Signer & {
        epoch: bigint;
        validator: AddressIn;
        workUnits: bigint;
        proofHash: string | Uint8Array;
        uri: string;
      },
    ) =>
      go(s, {
        type: "work-report",
        value: {
          version: V,
          epoch: s.epoch,
          validator: addr(s.validator),
          workUnits: s.workUnits,
          proofHash: hash32(s.proofHash),
          uri: s.uri,
        },
      }),
    /** `oracle-attest`: signs with each oracle key (≥ threshold) and submits from `secretKey`. */
    async attest(
      s: Signer & {
        oracle: OracleSigner[];
        epoch: bigint;
        validator: AddressIn;
        score: number;
        reportHash: string | Uint8Array;
      },
    ) {
      const body = {
        epoch: s.epoch,
        validator: addr(s.validator),
        score: s.score,
        reportHash: hash32(s.reportHash),
      };
      const signatures = signQuorum(AttestationBodyCodec, "oracleAttest", await chainId(), body, s.oracle);
      return go(s, { type: "oracle-attest", value: { version: V, ...body, signatures } });
    },
    /** `challenge` a report, bonding the chain's challengeBond. */
    challenge: (
      s: Signer & { epoch: bigint; validator: AddressIn; evidenceHash: string | Uint8Array; uri?: string },
    ) =>
      go(s, {
        type: "challenge",
        value: {
          version: V,
          epoch: s.epoch,
          validator: addr(s.validator),
          evidenceHash: hash32(s.evidenceHash),
          uri: s.uri ?? "",
        },
      }),
    /** `resolve-challenge`: the committee's verdict on the open challenge (needs the report and evidence hashes). */
    async resolveChallenge(
      s: Signer & {
        oracle: OracleSigner[];
        epoch: bigint;
        validator: AddressIn;
        verdict: Verdict;
        reportHash: string | Uint8Array;
        evidenceHash: string | Uint8Array;
      },
    ) {
      const body = {
        epoch: s.epoch,
        validator: addr(s.validator),
        verdict: s.verdict,
        reportHash: hash32(s.reportHash),
        evidenceHash: hash32(s.evidenceHash),
      };
      const signatures = signQuorum(ResolutionBodyCodec, "oracleResolve", await chainId(), body, s.oracle);
      return go(s, {
        type: "resolve-challenge",
        value: { version: V, epoch: body.epoch, validator: body.validator, verdict: s.verdict, signatures },
      });
    },
    /** `oracle-rotate` to `next` (version = current + 1), signed by `oracle` of the current committee. */
    async rotateOracle(
      s: Signer & {
        oracle: OracleSigner[];
        next: { version: bigint; threshold: number; members: Uint8Array[] };
      },
    ) {
      const signatures = signQuorum(OracleCommitteeCodec, "oracleRotate", await chainId(), s.next, s.oracle);
      return go(s, { type: "oracle-rotate", value: { version: V, next: s.next, signatures } });
    },
    /** `withdraw-rewards`: all accrued and unsettled rewards to the sender's balance. */
    withdrawRewards: (s: Signer) => go(s, { type: "withdraw-rewards", value: { version: V } }),
    /** `billing-open`: returns the submitted tx and the new escrow's id (0x-hex). */
    async openEscrow(s: Signer & { deposit: bigint }) {
      const sent = await go(s, { type: "billing-open", value: { version: V, deposit: s.deposit } });
      return { ...sent, escrow: toHex(escrowIdOf(addressBytes(getPublicKey(s.secretKey)), sent.nonce)) };
    },
    deposit: (s: Signer & { escrow: string; amount: bigint }) =>
      go(s, { type: "billing-deposit", value: { escrow: hash32(s.escrow), amount: s.amount } }),
    /** `billing-invoice` by a validator's operator. */
    invoice: (
      s: Signer & { escrow: string; validator: AddressIn; amount: bigint; usageHash: string | Uint8Array },
    ) =>
      go(s, {
        type: "billing-invoice",
        value: {
          version: V,
          escrow: hash32(s.escrow),
          validator: addr(s.validator),
          amount: s.amount,
          usageHash: hash32(s.usageHash),
        },
      }),
    /** `settle` the listed open invoices (escrow owner). */
    settle: (s: Signer & { escrow: string; invoices: number[] }) =>
      go(s, { type: "settle", value: { escrow: hash32(s.escrow), invoices: s.invoices } }),
    closeEscrow: (s: Signer & { escrow: string }) =>
      go(s, { type: "billing-close", value: { escrow: hash32(s.escrow) } }),
    refundEscrow: (s: Signer & { escrow: string }) =>
      go(s, { type: "billing-refund", value: { escrow: hash32(s.escrow) } }),
  };
}
