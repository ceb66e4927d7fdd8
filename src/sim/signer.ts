import { type KeyObject, sign as nodeSign } from "node:crypto";
import { concatBytes } from "../core/codec/index.js";
import { seedKeyObject, sha256, verify } from "../core/crypto/index.js";

/**
 * How the simulator signs and checks signatures.
 * - `real` (default): ed25519. Signing goes through node:crypto (OpenSSL, ~50 µs; @noble/ed25519 takes
 *   ~1.5 ms here, too slow for 200 votes per height at 100 validators) — ed25519 signatures are
 *   deterministic (RFC 8032), so the bytes equal @noble's, as the node's own signer (node/signer.ts) and the
 *   bench load generator rely on. Checking goes through THE `verify` of core/crypto.
 * - `fake` (`--fake-signer`): a hash stands in for the signature. Much faster for huge runs, but it proves
 *   nothing about signatures; the chain cannot check such commits or evidence, so blocks are accepted on
 *   their proposer's execution and double-sign evidence is not slashed. Reports say so.
 */
export interface SimSigner {
  readonly kind: "real" | "fake";
  sign(index: number, message: Uint8Array): Uint8Array;
  check(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

export function createSigner(
  kind: "real" | "fake",
  keys: readonly { secretKey: Uint8Array; publicKey: Uint8Array }[],
): SimSigner {
  if (kind === "fake") {
    const fake = (pk: Uint8Array, m: Uint8Array) => {
      const h = sha256(concatBytes(pk, m));
      return concatBytes(h, h);
    };
    return {
      kind,
      sign: (i, m) => fake((keys[i] as { publicKey: Uint8Array }).publicKey, m),
      check: (pk, m, s) => {
        const want = fake(pk, m);
        return s.length === 64 && want.every((b, i) => b === s[i]);
      },
    };
  }
  const objects: KeyObject[] = keys.map((k) => seedKeyObject(k.secretKey));
  return {
    kind,
    sign: (i, m) => new Uint8Array(nodeSign(null, m, objects[i] as KeyObject)),
    check: verify,
  };
}
