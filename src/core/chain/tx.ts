import { decode, encode, fromHex, string, struct, toHex, u64, union, type ValueOf } from "../codec/index.js";
import {
  addressFromPublicKey,
  decodeAddress,
  encodeAddress,
  getPublicKey,
  sha256,
  sign,
  signBytes,
} from "../crypto/index.js";
import { TxError } from "./errors.js";
import { Address20, PublicKey32, Signature64 } from "./vote.js";

/**
 * Transactions (DESIGN.md §3): `{chainId, from (public key), nonce, fee, payload, signature}`. The payload is
 * a tagged union; tags are part of the wire format and are reserved up front:
 *   1 transfer · 2 bond · 3 unbond · 4 delegate · 5 undelegate · 6 unjail · 7 edit-validator ·
 *   8 evidence · 9 work-report · 10 challenge · 11 settle
 * Only `transfer` exists so far; a tx with any other tag fails to decode (CODEC_UNKNOWN_TAG).
 */
export const TransferCodec = struct({ to: Address20, amount: u64 });
export type Transfer = ValueOf<typeof TransferCodec>;

export const TxPayloadCodec = union({ transfer: [1, TransferCodec] });
export type TxPayload = ValueOf<typeof TxPayloadCodec>;

export const UnsignedTxCodec = struct({
  chainId: string(64),
  from: PublicKey32,
  nonce: u64,
  fee: u64,
  payload: TxPayloadCodec,
});
export type UnsignedTx = ValueOf<typeof UnsignedTxCodec>;

export const TxCodec = struct({ body: UnsignedTxCodec, signature: Signature64 });
export type Tx = ValueOf<typeof TxCodec>;

/** Canonical bytes of a tx (what is gossiped, stored and hashed). */
export function encodeTx(tx: Tx): Uint8Array {
  return encode(TxCodec, tx);
}

/** Strict decode of tx bytes (throws CodecError on anything non-canonical). */
export function decodeTx(bytes: Uint8Array): Tx {
  return decode(TxCodec, bytes);
}

/** The tx hash: SHA-256 of the canonical encoding of the signed tx. */
export function hashTx(tx: Tx | Uint8Array): Uint8Array {
  return sha256(tx instanceof Uint8Array ? tx : encodeTx(tx));
}

/** What the sender signs: domain "tx" ‖ chainId ‖ encode(body). */
export function txSignBytes(body: UnsignedTx): Uint8Array {
  return signBytes("tx", body.chainId, encode(UnsignedTxCodec, body));
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

/** JSON form for the API and humans: bytes 0x-hex, addresses fp1…, amounts decimal strings. */
export function txToJson(tx: Tx) {
  const b = tx.body;
  const p = b.payload;
  return {
    hash: toHex(hashTx(tx)),
    chainId: b.chainId,
    type: p.type,
    from: addressFromPublicKey(b.from),
    publicKey: toHex(b.from),
    nonce: b.nonce.toString(),
    fee: b.fee.toString(),
    payload: { to: encodeAddress(p.value.to), amount: p.value.amount.toString() },
    signature: toHex(tx.signature),
  };
}
export type TxJson = ReturnType<typeof txToJson>;

/** Parses the JSON form back (the API accepts either this or raw 0x-hex bytes). */
export function txFromJson(j: unknown): Tx {
  try {
    const o = j as TxJson;
    if (o.type !== "transfer") throw new Error(`unsupported type ${String(o.type)}`);
    const amount = BigInt(o.payload.amount);
    const nonce = BigInt(o.nonce);
    const fee = BigInt(o.fee);
    return {
      body: {
        chainId: String(o.chainId),
        from: fromHex(o.publicKey, 32),
        nonce,
        fee,
        payload: { type: "transfer", value: { to: decodeAddress(o.payload.to), amount } },
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
