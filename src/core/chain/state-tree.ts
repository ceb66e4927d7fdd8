import { memoizeBytes, sha256 } from "../crypto/index.js";

/**
 * The state commitment (DESIGN.md §3): a persistent (immutable, structurally shared) crit-bit Patricia trie
 * over SHA-256(key). Its shape depends only on the key set, never on insertion order, so every node that
 * holds the same state computes the same root.
 *
 * - `set`/`delete` copy only the path from the root to the leaf: O(log n) new nodes; old roots stay valid.
 * - Node hashes are computed lazily and cached, so `root()` after a block rehashes only the dirty paths:
 *   O(changed keys · log n), never O(state).
 * - leaf hash = H(0x00 ‖ keyHash ‖ H(value)); branch hash = H(0x01 ‖ u16 bit ‖ left ‖ right); empty = 0³².
 */
interface Leaf {
  readonly kind: 0;
  readonly keyHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  hash?: Uint8Array;
}
interface Branch {
  readonly kind: 1;
  /** Index (0 = most significant bit of byte 0) of the first bit where the two sides differ. */
  readonly bit: number;
  readonly left: TrieNode;
  readonly right: TrieNode;
  hash?: Uint8Array;
}
type TrieNode = Leaf | Branch;

export const EMPTY_ROOT = new Uint8Array(32);

function bitAt(h: Uint8Array, bit: number): number {
  return ((h[bit >> 3] as number) >> (7 - (bit & 7))) & 1;
}

function critBit(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const x = (a[i] as number) ^ (b[i] as number);
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return -1;
}

function hashNode(n: TrieNode): Uint8Array {
  if (n.hash) return n.hash;
  if (n.kind === 0) {
    n.hash = sha256(LEAF_TAG, n.keyHash, sha256(n.value));
  } else {
    const bit = new Uint8Array([n.bit >> 8, n.bit & 0xff]);
    n.hash = sha256(BRANCH_TAG, bit, hashNode(n.left), hashNode(n.right));
  }
  return n.hash;
}
const LEAF_TAG = new Uint8Array([0]);
const BRANCH_TAG = new Uint8Array([1]);

/**
 * SHA-256 of a state key, remembered for the most recent KEY_HASH_CACHE_MAX keys (first in, first out).
 * PERF: a transfer reads and writes its sender and recipient several times (admission, fee, amount, the
 * mempool recheck), and hashing the key was the largest cost of each tree access. A cache of a pure
 * function: results never depend on it.
 */
export const KEY_HASH_CACHE_MAX = 8192;
const keyHash = memoizeBytes(KEY_HASH_CACHE_MAX, (key) => sha256(key));

/** An immutable key → value map with a Merkle root. */
export class StateTree {
  private constructor(
    private readonly node: TrieNode | null,
    readonly size: number,
    /** When set, every key written through this tree and the trees derived from it is recorded here. */
    private readonly journal?: Uint8Array[],
  ) {}

  /** This tree, recording the keys of every later `set`/`delete` in `journal` (for persistence diffs). */
  withJournal(journal: Uint8Array[]): StateTree {
    return new StateTree(this.node, this.size, journal);
  }

  /** This tree without a journal. */
  withoutJournal(): StateTree {
    return this.journal ? new StateTree(this.node, this.size) : this;
  }

  static empty(): StateTree {
    return new StateTree(null, 0);
  }

  /** The Merkle root (cached per node; only new nodes are hashed). */
  root(): Uint8Array {
    return this.node ? hashNode(this.node) : EMPTY_ROOT;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    if (!this.node) return undefined;
    const kh = keyHash(key);
    let n = this.node;
    while (n.kind === 1) n = bitAt(kh, n.bit) ? n.right : n.left;
    return critBit(n.keyHash, kh) === -1 ? n.value : undefined;
  }

  /** A new tree with `key` set to `value`; this tree is unchanged. */
  set(key: Uint8Array, value: Uint8Array): StateTree {
    this.journal?.push(key);
    const kh = keyHash(key);
    const leaf: Leaf = { kind: 0, keyHash: kh, key, value };
    if (!this.node) return new StateTree(leaf, 1, this.journal);
    // Find the closest existing leaf to learn where the new key diverges.
    let probe = this.node;
    while (probe.kind === 1) probe = bitAt(kh, probe.bit) ? probe.right : probe.left;
    const cb = critBit(probe.keyHash, kh);
    if (cb === -1) return new StateTree(replace(this.node, kh, leaf), this.size, this.journal);
    return new StateTree(insert(this.node, kh, leaf, cb), this.size + 1, this.journal);
  }

  /** A new tree without `key` (the same tree if it was absent). */
  delete(key: Uint8Array): StateTree {
    if (!this.node) return this;
    const kh = keyHash(key);
    const res = remove(this.node, kh);
    if (res === undefined) return this;
    this.journal?.push(key);
    return new StateTree(res, this.size - 1, this.journal);
  }

  /** All entries, in key-hash order (for persistence and snapshots). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    if (!this.node) return;
    const stack: TrieNode[] = [this.node];
    while (stack.length) {
      const n = stack.pop() as TrieNode;
      if (n.kind === 0) yield [n.key, n.value];
      else stack.push(n.right, n.left);
    }
  }
}

function replace(n: TrieNode, kh: Uint8Array, leaf: Leaf): TrieNode {
  if (n.kind === 0) return leaf;
  return bitAt(kh, n.bit)
    ? { kind: 1, bit: n.bit, left: n.left, right: replace(n.right, kh, leaf) }
    : { kind: 1, bit: n.bit, left: replace(n.left, kh, leaf), right: n.right };
}

function insert(n: TrieNode, kh: Uint8Array, leaf: Leaf, cb: number): TrieNode {
  if (n.kind === 1 && n.bit < cb) {
    return bitAt(kh, n.bit)
      ? { kind: 1, bit: n.bit, left: n.left, right: insert(n.right, kh, leaf, cb) }
      : { kind: 1, bit: n.bit, left: insert(n.left, kh, leaf, cb), right: n.right };
  }
  return bitAt(kh, cb)
    ? { kind: 1, bit: cb, left: n, right: leaf }
    : { kind: 1, bit: cb, left: leaf, right: n };
}

/** undefined: key absent; null: the subtree became empty. */
function remove(n: TrieNode, kh: Uint8Array): TrieNode | null | undefined {
  if (n.kind === 0) return critBit(n.keyHash, kh) === -1 ? null : undefined;
  const goRight = bitAt(kh, n.bit) === 1;
  const child = goRight ? n.right : n.left;
  const res = remove(child, kh);
  if (res === undefined) return undefined;
  if (res === null) return goRight ? n.left : n.right;
  return goRight
    ? { kind: 1, bit: n.bit, left: n.left, right: res }
    : { kind: 1, bit: n.bit, left: res, right: n.right };
}
