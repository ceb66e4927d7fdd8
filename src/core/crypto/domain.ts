import { concatBytes, encode, string, struct } from "../codec/index.js";
import { sign, verify } from "./ed25519.js";

/**
 * Signature domains (DESIGN.md §2): every signature covers `domainTag ‖ chainId ‖ encode(msg)`, with a
 * distinct tag per message kind, so a signature of one kind can never be replayed as another kind or on
 * another chain.
 */
export const DOMAIN = {
  tx: "fastpos/tx/v1",
  proposal: "fastpos/proposal/v1",
  prevote: "fastpos/prevote/v1",
  precommit: "fastpos/precommit/v1",
  handshake: "fastpos/p2p-handshake/v1",
} as const;
export type Domain = keyof typeof DOMAIN;

const PrefixCodec = struct({ tag: string(64), chainId: string(64) });

/** The exact bytes signed for `message` in `domain` on `chainId`. */
export function signBytes(domain: Domain, chainId: string, message: Uint8Array): Uint8Array {
  return concatBytes(encode(PrefixCodec, { tag: DOMAIN[domain], chainId }), message);
}

/** Signs `message` in a domain. */
export function signDomain(
  secretKey: Uint8Array,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
): Uint8Array {
  return sign(secretKey, signBytes(domain, chainId, message));
}

/** Verifies a domain signature with THE verification function. */
export function verifyDomain(
  publicKey: Uint8Array,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verify(publicKey, signBytes(domain, chainId, message), signature);
}
