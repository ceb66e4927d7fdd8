import { encode, toHex, type ValueOf } from "../../codec/index.js";
import { isValidPublicKey } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import { ORACLE_KEY } from "../product-state.js";
import { OracleCommitteeCodec, type OracleRotateCodec } from "../product-tx.js";
import type { StateTree } from "../state-tree.js";
import { requireCommittee, rotationMessage, validateQuorum } from "./oracle-quorum.js";
import { requireVersion } from "./product-rules.js";

/** Rules every committee satisfies (genesis validation uses the same ones). Returns the problems. */
export function committeeIssues(c: { threshold: number; members: readonly Uint8Array[] }): string[] {
  const issues: string[] = [];
  if (c.members.length === 0) issues.push("members: at least one member is required");
  if (c.threshold < 1 || c.threshold > c.members.length)
    issues.push(`threshold: must be between 1 and the number of members (${c.members.length})`);
  const seen = new Set<string>();
  c.members.forEach((m, i) => {
    const hex = toHex(m);
    if (seen.has(hex)) issues.push(`members[${i}]: duplicate key`);
    seen.add(hex);
    if (!isValidPublicKey(m)) issues.push(`members[${i}]: not a valid ed25519 public key (or small-order)`);
  });
  return issues;
}

/**
 * `oracle-rotate` (docs/product-layer.md "Committee rotation"): M of the current committee sign the next
 * committee, whose `version` must be the current one + 1 (so an old rotation cannot be replayed). Takes
 * effect at once: later attestations are checked against the new members.
 * @throws TxError TX_BAD_ARGUMENT | TX_NOT_AUTHORIZED | TX_BAD_QUORUM
 */
export function applyOracleRotate(
  tree: StateTree,
  p: ValueOf<typeof OracleRotateCodec>,
  chainId: string,
): StateTree {
  requireVersion(p.version);
  const current = requireCommittee(tree);
  if (p.next.version !== current.version + 1n)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "committee version" },
      `the next committee must have version ${current.version + 1n}, not ${p.next.version}`,
    );
  const issues = committeeIssues(p.next);
  if (issues.length)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "committee" },
      `bad committee: ${issues.join("; ")}`,
    );
  validateQuorum(current, "oracleRotate", chainId, rotationMessage(p.next), p.signatures);
  return tree.set(ORACLE_KEY, encode(OracleCommitteeCodec, p.next));
}
