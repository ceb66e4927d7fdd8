import { fromHex, toHex } from "../codec/index.js";
import { decodeAddress, encodeAddress } from "../crypto/index.js";

/**
 * The JSON form of tx payload fields (DESIGN.md §2: JSON for humans and the API only — never hashed).
 * Each field name has one kind everywhere: addresses fp1…, 32-byte hashes and keys 0x-hex, u64 amounts and
 * epochs decimal strings, small integers numbers. Nested oracle fields (`signatures`, `next`) have their
 * own fixed shapes. Decoding is checked again by encoding the result with the payload codec (tx.ts).
 */
type Kind = "address" | "hex32" | "u64" | "number" | "string" | "signatures" | "committee" | "numbers";
const FIELD_KIND: Record<string, Kind> = {
  to: "address",
  validator: "address",
  consensusKey: "hex32",
  proofHash: "hex32",
  reportHash: "hex32",
  evidenceHash: "hex32",
  escrow: "hex32",
  usageHash: "hex32",
  amount: "u64",
  epoch: "u64",
  workUnits: "u64",
  deposit: "u64",
  commission: "number",
  workWeight: "number",
  score: "number",
  version: "number",
  name: "string",
  uri: "string",
  verdict: "string",
  signatures: "signatures",
  next: "committee",
  invoices: "numbers",
};

function kindOf(k: string): Kind {
  const kind = FIELD_KIND[k];
  if (!kind) throw new Error(`unknown payload field ${k}`);
  return kind;
}

function toJson(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case "address":
      return encodeAddress(v as Uint8Array);
    case "hex32":
      return toHex(v as Uint8Array);
    case "u64":
      return String(v);
    case "signatures":
      return (v as { member: number; signature: Uint8Array }[]).map((s) => ({
        member: s.member,
        signature: toHex(s.signature),
      }));
    case "committee": {
      const c = v as { version: bigint; threshold: number; members: Uint8Array[] };
      return { version: String(c.version), threshold: c.threshold, members: c.members.map(toHex) };
    }
    default:
      return v;
  }
}

function array(raw: unknown, what: string): unknown[] {
  if (!Array.isArray(raw)) throw new Error(`${what} must be an array`);
  return raw;
}

function fromJson(kind: Kind, raw: unknown, key: string): unknown {
  switch (kind) {
    case "address":
      return decodeAddress(String(raw));
    case "hex32":
      return fromHex(String(raw), 32);
    case "u64":
      return BigInt(String(raw));
    case "number":
      return Number(raw);
    case "string":
      return String(raw);
    case "numbers":
      return array(raw, key).map(Number);
    case "signatures":
      return array(raw, key).map((s) => {
        const o = s as { member?: unknown; signature?: unknown };
        return { member: Number(o.member), signature: fromHex(String(o.signature), 64) };
      });
    case "committee": {
      const c = (raw ?? {}) as { version?: unknown; threshold?: unknown; members?: unknown };
      return {
        version: BigInt(String(c.version)),
        threshold: Number(c.threshold),
        members: array(c.members, "next.members").map((m) => fromHex(String(m), 32)),
      };
    }
  }
}

/** A payload's fields in JSON form. */
export function payloadToJsonValue(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJson(kindOf(k), v);
  return out;
}

/** A payload's fields from JSON form. @throws Error naming the field (the caller wraps it as TX_MALFORMED). */
export function payloadFromJsonValue(j: Record<string, unknown>): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(j)) value[k] = fromJson(kindOf(k), raw, k);
  return value;
}
