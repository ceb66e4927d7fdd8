import { sha256 } from "../crypto/index.js";

/**
 * Binary Merkle root over a list of 32-byte hashes (tx root, evidence root): leaves H(0x00 ‖ h), inner nodes
 * H(0x01 ‖ l ‖ r), an odd node is carried up unchanged; the empty list has root H(""). The 0x00/0x01 prefixes
 * keep a leaf from ever being confused with an inner node (second-preimage safety).
 */
export const EMPTY_MERKLE_ROOT = sha256(new Uint8Array(0));

export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return EMPTY_MERKLE_ROOT;
  let level = hashes.map((h) => sha256(LEAF, h));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const r = level[i + 1];
      next.push(r ? sha256(NODE, level[i] as Uint8Array, r) : (level[i] as Uint8Array));
    }
    level = next;
  }
  return level[0] as Uint8Array;
}
const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);
