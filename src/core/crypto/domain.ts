import { concatBytes, encode, string, struct } from "../codec/index.js";
import { sign } from "./ed25519.js";
import { verify } from "./verify.js";

/**
 * Signature domains (DESIGN.md §2): every signature covers `domainTag ‖ chainId ‖ encode(msg)`, with a
 * distinct tag per message kind, so a signature of one kind can never be replayed as another kind or on
 * another chain. Changing a tag is a hard fork: bump its `/vN`.
 */
export const DOMAIN = {
  tx: "fastpos/tx/v1",
  proposal: "fastpos/proposal/v1",
  prevote: "fastpos/prevote/v1",
  precommit: "fastpos/precommit/v1",
  handshake: "fastpos/p2p-handshake/v1",
  /** Oracle committee (docs/product-layer.md): a member's score for one validator's epoch report. */
  oracleAttest: "fastpos/oracle-attest/v1",
  /** Oracle committee: a verdict on a challenged work report. */
  oracleResolve: "fastpos/oracle-resolve/v1",
  /** Oracle committee: the next committee (rotation by M-of-N of the current one). */
  oracleRotate: "fastpos/oracle-rotate/v1",
} as const;

/** The kinds of signed message: a key of `DOMAIN`. */
export type Domain = keyof typeof DOMAIN;

/** Tag and chain id, each a u32-length-prefixed UTF-8 string; 64 bytes max, as genesis allows for ids. */
const PrefixCodec = struct({ tag: string(64), chainId: string(64) });

/**
 * The exact bytes signed for `message` in `domain` on `chainId`: `encode({tag, chainId}) ‖ message`.
 * The length prefixes make the split unambiguous, so no (tag, chainId, message) triple collides with
 * another. Pinned byte-for-byte in test/unit/crypto/domain.test.ts.
 * @throws CodecError if `chainId` is not well-formed UTF-8 or is longer than 64 bytes.
 */
export function signBytes(domain: Domain, chainId: string, message: Uint8Array): Uint8Array {
  return concatBytes(prefixFor(domain, chainId), message);
}

/**
 * PERF: the prefix of each (domain, chain) pair a node signs or checks is encoded once (every tx and vote
 * check needed it). Bounded: a process works with a handful of chains; past 64 pairs it starts over.
 */
const prefixes = new Map<string, Uint8Array>();
function prefixFor(domain: Domain, chainId: string): Uint8Array {
  const id = `${domain}\u0000${chainId}`;
  let p = prefixes.get(id);
  if (!p) {
    p = encode(PrefixCodec, { tag: DOMAIN[domain], chainId }); // throws for a bad chain id: never cached
    if (prefixes.size >= 64) prefixes.clear();
    prefixes.set(id, p);
  }
  return p;
}

/**
 * Signs `message` in a domain: `sign(secretKey, signBytes(domain, chainId, message))`.
 * @throws CryptoError CRYPTO_BAD_SECRET_KEY; CodecError for a bad chain id (see `signBytes`).
 */
export function signDomain(
  secretKey: Uint8Array,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
): Uint8Array {
  return sign(secretKey, signBytes(domain, chainId, message));
}

/**
 * Verifies a domain signature with THE verification function. Never throws: a chain id that cannot be
 * encoded cannot have been signed, so it gives `false`.
 */
export function verifyDomain(
  publicKey: Uint8Array,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (!(message instanceof Uint8Array)) return false;
  let bytes: Uint8Array;
  try {
    bytes = signBytes(domain, chainId, message);
  } catch {
    return false;
  }
  return verify(publicKey, bytes, signature);
}
