import { type Codec, encode } from "../../codec/index.js";
import { type Domain, signDomain, verifyDomain } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import { readOracle } from "../product-state.js";
import {
  type AttestationBody,
  AttestationBodyCodec,
  type OracleCommittee,
  OracleCommitteeCodec,
  type OracleSignature,
  type ResolutionBody,
  ResolutionBodyCodec,
} from "../product-tx.js";
import type { StateTree } from "../state-tree.js";

/**
 * M-of-N oracle signatures (docs/product-layer.md "Oracle committee"). Each member signs
 * `domainTag ‖ chainId ‖ encode(body)` (DESIGN.md §2) through THE verify function; a payload carries the
 * signatures strictly increasing by member index, so no member counts twice and the encoding of a quorum
 * is unique for a given signer set.
 */

/** The committee in force, or TX_NOT_AUTHORIZED when the genesis configured none. */
export function requireCommittee(tree: StateTree): OracleCommittee {
  const c = readOracle(tree);
  if (!c)
    throw new TxError(
      { code: "TX_NOT_AUTHORIZED", reason: "no oracle committee" },
      "this chain has no oracle committee (genesis `oracle` is null)",
    );
  return c;
}

/**
 * Checks that `signatures` hold at least `threshold` valid, distinct member signatures over `message`.
 * @throws TxError TX_BAD_QUORUM (too few, unordered, unknown member, or a bad signature)
 */
export function validateQuorum(
  committee: OracleCommittee,
  domain: Domain,
  chainId: string,
  message: Uint8Array,
  signatures: readonly OracleSignature[],
): void {
  const need = committee.threshold;
  const fail = (reason: string): never => {
    throw new TxError(
      { code: "TX_BAD_QUORUM", reason, have: signatures.length, need },
      `oracle quorum: ${reason} (${signatures.length} signatures, ${need} needed)`,
    );
  };
  if (signatures.length < need) fail("too few signatures");
  let last = -1;
  for (const s of signatures) {
    if (s.member <= last) fail("signatures must be strictly increasing by member index");
    last = s.member;
    const key = committee.members[s.member];
    if (!key) fail(`member ${s.member} is not in the committee`);
    if (!verifyDomain(key as Uint8Array, domain, chainId, message, s.signature))
      fail(`bad signature from member ${s.member}`);
  }
}

/** Bytes a member signs for an attestation. */
export const attestationMessage = (b: AttestationBody) => encode(AttestationBodyCodec, b);
/** Bytes a member signs for a challenge verdict. */
export const resolutionMessage = (b: ResolutionBody) => encode(ResolutionBodyCodec, b);
/** Bytes a member signs for the next committee. */
export const rotationMessage = (c: OracleCommittee) => encode(OracleCommitteeCodec, c);

/**
 * Signs `body` with each (member index, secret key) pair and returns the signatures in member order: the
 * wallet/CLI/test side of `validateQuorum`.
 */
export function signQuorum<T>(
  codec: Codec<T>,
  domain: Domain,
  chainId: string,
  body: T,
  signers: readonly { member: number; secretKey: Uint8Array }[],
): OracleSignature[] {
  const message = encode(codec, body);
  return [...signers]
    .sort((a, b) => a.member - b.member)
    .map((s) => ({ member: s.member, signature: signDomain(s.secretKey, domain, chainId, message) }));
}
