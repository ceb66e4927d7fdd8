import {
  type Codec,
  decode,
  encode,
  fromHex,
  string,
  struct,
  toHex,
  u32,
  u64,
  union,
  type ValueOf,
} from "../codec/index.js";
import {
  addressFromPublicKey,
  decodeAddress,
  getPublicKey,
  sha256,
  sign,
  signBytes,
} from "../crypto/index.js";
import { TxError } from "./errors.js";
import {
  BillingDepositCodec,
  BillingInvoiceCodec,
  BillingOpenCodec,
  BillingSettleCodec,
  ChallengeCodec,
  EscrowRefCodec,
  OracleAttestCodec,
  OracleRotateCodec,
  ResolveChallengeCodec,
  WithdrawRewardsCodec,
  WorkReportCodec,
} from "./product-tx.js";
import { payloadFromJsonValue, payloadToJsonValue } from "./tx-json.js";
import { Address20, PublicKey32, Signature64 } from "./vote.js";

/**
 * Transactions (DESIGN.md §3): `{chainId, from (public key), nonce, fee, payload, signature}`. The payload is
 * a tagged union; tags are part of the wire format and are reserved up front:
 *   1 transfer · 2 bond · 3 unbond · 4 delegate · 5 undelegate · 6 unjail · 7 edit-validator ·
 *   8 evidence (reserved) · 9 work-report · 10 challenge · 11 settle · 12 set-work-weight ·
 *   13 oracle-attest · 14 resolve-challenge · 15 oracle-rotate · 16 withdraw-rewards · 17 billing-open ·
 *   18 billing-deposit · 19 billing-invoice · 20 billing-close · 21 billing-refund
 * Product-layer payloads (9–11, 13–21) are defined in product-tx.ts (docs/product-layer.md).
 * A tx with an unassigned tag fails to decode (CODEC_UNKNOWN_TAG).
 */
export const TransferCodec = struct({ to: Address20, amount: u64 });
export type Transfer = ValueOf<typeof TransferCodec>;

export const BondCodec = struct({ consensusKey: PublicKey32, name: string(64), amount: u64 });
export const StakeMoveCodec = struct({ validator: Address20, amount: u64 });
export const ValidatorRefCodec = struct({ validator: Address20 });
export const EditValidatorCodec = struct({ validator: Address20, name: string(64), commission: u32 });
export const SetWorkWeightCodec = struct({ validator: Address20, workWeight: u32 });

/** Payload registry. Tags are wire format: never renumber; 8 stays reserved (evidence). */
export const TxPayloadCodec = union({
  transfer: [1, TransferCodec],
  bond: [2, BondCodec],
  unbond: [3, StakeMoveCodec],
  delegate: [4, StakeMoveCodec],
  undelegate: [5, StakeMoveCodec],
  unjail: [6, ValidatorRefCodec],
  "edit-validator": [7, EditValidatorCodec],
  "work-report": [9, WorkReportCodec],
  challenge: [10, ChallengeCodec],
  settle: [11, BillingSettleCodec],
  "set-work-weight": [12, SetWorkWeightCodec],
  "oracle-attest": [13, OracleAttestCodec],
  "resolve-challenge": [14, ResolveChallengeCodec],
  "oracle-rotate": [15, OracleRotateCodec],
  "withdraw-rewards": [16, WithdrawRewardsCodec],
  "billing-open": [17, BillingOpenCodec],
  "billing-deposit": [18, BillingDepositCodec],
  "billing-invoice": [19, BillingInvoiceCodec],
  "billing-close": [20, EscrowRefCodec],
  "billing-refund": [21, EscrowRefCodec],
});
export type TxPayload = ValueOf<typeof TxPayloadCodec>;

export const UnsignedTxCodec = struct({
  chainId: string(64),
  from: PublicKey32,
  nonce: u64,
  fee: u64,
  payload: TxPayloadCodec,
});
export type UnsignedTx = ValueOf<typeof UnsignedTxCodec>;

/** The signed tx's fields. The signature is last and fixed-size, so the body's bytes are a prefix. */
const SignedTxFields = struct({ body: UnsignedTxCodec, signature: Signature64 });
export type Tx = ValueOf<typeof SignedTxFields>;
const SIGNATURE_SIZE = 64;

/**
 * PERF: a tx passes through admission, block building or validation, the tx root, execution and the store,
 * each of which needs its bytes or hash; both are memoised per tx object (a pure cache: txs are immutable
 * values once built or decoded, and the bytes returned must not be modified).
 */
const encodedTxs = new WeakMap<Tx, Uint8Array>();
const txHashes = new WeakMap<Tx, Uint8Array>();

/**
 * The tx codec: `SignedTxFields`, with the memo built in. Reading remembers the exact bytes read (a copy, as
 * every decoded field is) — decoding is strict, so they are the canonical encoding — and writing reuses
 * remembered bytes. So a tx decoded from a block or a gossip frame is never re-encoded to be hashed, signed
 * over, stored or relayed.
 */
export const TxCodec: Codec<Tx> = {
  kind: SignedTxFields.kind,
  minSize: SignedTxFields.minSize,
  write(w, tx) {
    w.raw(encodeTx(tx));
  },
  read(r) {
    const start = r.pos;
    const tx = SignedTxFields.read(r);
    encodedTxs.set(tx, r.buf.slice(start, r.pos));
    return tx;
  },
};

/** Canonical bytes of a tx (what is gossiped, stored and hashed). Do not modify the result. */
export function encodeTx(tx: Tx): Uint8Array {
  let bytes = encodedTxs.get(tx);
  if (!bytes) {
    bytes = encode(SignedTxFields, tx);
    encodedTxs.set(tx, bytes);
  }
  return bytes;
}

/**
 * Strict decode of tx bytes (throws CodecError on anything non-canonical). Strictness means `bytes` are the
 * tx's canonical encoding, so they are remembered as such: do not modify them afterwards.
 */
export function decodeTx(bytes: Uint8Array): Tx {
  const tx = decode(SignedTxFields, bytes);
  encodedTxs.set(tx, bytes);
  return tx;
}

/**
 * `decodeTx` for bytes whose SHA-256 the caller has already computed (gossip hashes bytes before decoding, to
 * skip known txs): `hash` must be exactly `sha256(bytes)`, and `hashTx` then returns it without hashing.
 */
export function decodeTxWithHash(bytes: Uint8Array, hash: Uint8Array): Tx {
  const tx = decodeTx(bytes);
  txHashes.set(tx, hash);
  return tx;
}

/** The tx hash: SHA-256 of the canonical encoding of the signed tx. Do not modify the result. */
export function hashTx(tx: Tx | Uint8Array): Uint8Array {
  if (tx instanceof Uint8Array) return sha256(tx);
  let h = txHashes.get(tx);
  if (!h) {
    h = sha256(encodeTx(tx));
    txHashes.set(tx, h);
  }
  return h;
}

/** What the sender signs: domain "tx" ‖ chainId ‖ encode(body). */
export function txSignBytes(body: UnsignedTx): Uint8Array {
  return signBytes("tx", body.chainId, encode(UnsignedTxCodec, body));
}

/**
 * `txSignBytes(tx.body)` of a signed tx, from its canonical bytes (the body's encoding is their prefix), so
 * checking a decoded tx's signature re-encodes nothing.
 */
export function signedTxSignBytes(tx: Tx): Uint8Array {
  const bytes = encodeTx(tx);
  return signBytes("tx", tx.body.chainId, bytes.subarray(0, bytes.length - SIGNATURE_SIZE));
}

/** Signs a tx body with the sender's secret key (which must match `body.from`). */
export function signTx(secretKey: Uint8Array, body: UnsignedTx): Tx {
  return { body, signature: sign(secretKey, txSignBytes(body)) };
}

/** Convenience for wallets, the CLI and tests: a signed transfer. */
export function createTransferTx(o: {
  chainId: string;
  secretKey: Uint8Array;
  to: string | Uint8Array;
  amount: bigint;
  nonce: bigint;
  fee?: bigint;
}): Tx {
  const to = typeof o.to === "string" ? decodeAddress(o.to) : o.to;
  return signTx(o.secretKey, {
    chainId: o.chainId,
    from: getPublicKey(o.secretKey),
    nonce: o.nonce,
    fee: o.fee ?? 0n,
    payload: { type: "transfer", value: { to, amount: o.amount } },
  });
}

/** The amount a payload moves out of the sender's balance (0 for payloads that move none). */
export function payloadSpend(p: TxPayload): bigint {
  if (p.type === "transfer" || p.type === "bond" || p.type === "delegate" || p.type === "billing-deposit")
    return p.value.amount;
  return p.type === "billing-open" ? p.value.deposit : 0n;
}

function payloadToJson(p: TxPayload): Record<string, unknown> {
  return payloadToJsonValue(p.value as Record<string, unknown>);
}

function payloadFromJson(type: string, j: Record<string, unknown>): TxPayload {
  const payload = { type, value: payloadFromJsonValue(j) } as TxPayload;
  encode(TxPayloadCodec, payload); // validates the shape (throws CodecError on a wrong type or missing field)
  return payload;
}

/** JSON form for the API and humans: bytes 0x-hex, addresses fp1…, amounts decimal strings. */
export function txToJson(tx: Tx) {
  const b = tx.body;
  return {
    hash: toHex(hashTx(tx)),
    chainId: b.chainId,
    type: b.payload.type,
    from: addressFromPublicKey(b.from),
    publicKey: toHex(b.from),
    nonce: b.nonce.toString(),
    fee: b.fee.toString(),
    payload: payloadToJson(b.payload) as { to?: string; amount?: string } & Record<string, unknown>,
    signature: toHex(tx.signature),
  };
}
export type TxJson = ReturnType<typeof txToJson>;

/** Parses the JSON form back (the API accepts either this or raw 0x-hex bytes). */
export function txFromJson(j: unknown): Tx {
  try {
    const o = j as TxJson;
    if (typeof o.type !== "string" || typeof o.payload !== "object" || o.payload === null)
      throw new Error("type and payload are required");
    return {
      body: {
        chainId: String(o.chainId),
        from: fromHex(o.publicKey, 32),
        nonce: BigInt(o.nonce),
        fee: BigInt(o.fee),
        payload: payloadFromJson(o.type, o.payload),
      },
      signature: fromHex(o.signature, 64),
    };
  } catch (err) {
    throw new TxError(
      { code: "TX_MALFORMED", reason: (err as Error).message },
      `malformed tx JSON: ${(err as Error).message}`,
    );
  }
}

/** Signs any payload (wallets, CLI, tests). */
export function createTx(o: {
  chainId: string;
  secretKey: Uint8Array;
  nonce: bigint;
  fee?: bigint;
  payload: TxPayload;
}): Tx {
  return signTx(o.secretKey, {
    chainId: o.chainId,
    from: getPublicKey(o.secretKey),
    nonce: o.nonce,
    fee: o.fee ?? 0n,
    payload: o.payload,
  });
}
