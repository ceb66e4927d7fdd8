import { bytes, decode, encode, fixedBytes, struct, u32, u64, type ValueOf } from "../codec/index.js";
import { sha256 } from "../crypto/index.js";
import { FastposError } from "../errors.js";
import { StateTree } from "./state-tree.js";

/**
 * State snapshots (issue 17, DESIGN.md §4 "state sync"): the state tree at one committed height, as a byte
 * stream of `u32 len ‖ key ‖ u32 len ‖ value` in key-hash order, cut into fixed-size chunks. The manifest
 * lists every chunk's SHA-256 and the height's stateRoot, so a syncing node checks each chunk the moment it
 * arrives (and bans the peer that sent a bad one) and the rebuilt tree against the root of a header it
 * verified by its commit. `meta` carries what the tree does not hold (validator sets with proposer
 * priorities); the receiver checks it against the header's validator hashes.
 */
export const SNAPSHOT_FORMAT = 1;
/** Most chunks of one snapshot (with 1 MiB chunks: 16 GiB of state). */
export const MAX_SNAPSHOT_CHUNKS = 16_384;

export const SnapshotManifestCodec = struct({
  format: u32,
  height: u64,
  /** Hash of the block at `height` (the header whose commit proves the snapshot). */
  blockHash: fixedBytes(32),
  stateRoot: fixedBytes(32),
  chunkSize: u32,
  totalBytes: u64,
  /** SHA-256 of each chunk, packed (32 bytes each). */
  chunkHashes: bytes(32 * MAX_SNAPSHOT_CHUNKS),
  meta: bytes(1 << 20),
});
export type SnapshotManifest = ValueOf<typeof SnapshotManifestCodec>;

export type SnapshotErrorType =
  | { code: "SNAPSHOT_BAD_CHUNK"; index: number }
  | { code: "SNAPSHOT_BAD_STATE"; reason: string };
export class StateSnapshotError extends FastposError<SnapshotErrorType> {}

/** The identity of a manifest (peers offering the same snapshot offer the same bytes). */
export function hashManifest(m: SnapshotManifest): Uint8Array {
  return sha256(encode(SnapshotManifestCodec, m));
}

export function chunkCount(m: SnapshotManifest): number {
  return m.chunkHashes.length / 32;
}

export function chunkHash(m: SnapshotManifest, index: number): Uint8Array {
  return m.chunkHashes.subarray(index * 32, index * 32 + 32);
}

/** Cuts a tree into chunks of `chunkSize` bytes (the last one shorter) with their hashes. */
export function encodeStateChunks(
  tree: StateTree,
  chunkSize: number,
): { chunks: Uint8Array[]; totalBytes: number } {
  const chunks: Uint8Array[] = [];
  let cur = new Uint8Array(chunkSize);
  let at = 0;
  let total = 0;
  const put = (src: Uint8Array) => {
    let o = 0;
    while (o < src.length) {
      const n = Math.min(chunkSize - at, src.length - o);
      cur.set(src.subarray(o, o + n), at);
      at += n;
      o += n;
      if (at === chunkSize) {
        chunks.push(cur);
        cur = new Uint8Array(chunkSize);
        at = 0;
      }
    }
    total += src.length;
  };
  const len = new Uint8Array(4);
  const view = new DataView(len.buffer);
  for (const [k, v] of tree.entries()) {
    view.setUint32(0, k.length);
    put(len);
    put(k);
    view.setUint32(0, v.length);
    put(len);
    put(v);
  }
  if (at > 0 || chunks.length === 0) chunks.push(cur.slice(0, at));
  return { chunks, totalBytes: total };
}

/** Packed SHA-256 of each chunk (the manifest's `chunkHashes`). */
export function hashChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.length * 32);
  for (const [i, c] of chunks.entries()) out.set(sha256(c), i * 32);
  return out;
}

/** True when `data` is chunk `index` of `m` (right hash, and the size the manifest implies). */
export function isValidChunk(m: SnapshotManifest, index: number, data: Uint8Array): boolean {
  const n = chunkCount(m);
  if (!Number.isInteger(index) || index < 0 || index >= n) return false;
  const size = index < n - 1 ? m.chunkSize : Number(m.totalBytes) - m.chunkSize * (n - 1);
  if (data.length !== size) return false;
  const h = sha256(data);
  const want = chunkHash(m, index);
  for (let i = 0; i < 32; i++) if (h[i] !== want[i]) return false;
  return true;
}

/**
 * Rebuilds the tree from every chunk, in order, and checks its root against the manifest's stateRoot.
 * @throws StateSnapshotError SNAPSHOT_BAD_STATE (malformed stream, root mismatch)
 */
export function rebuildState(m: SnapshotManifest, chunks: readonly Uint8Array[]): StateTree {
  const all = new Uint8Array(Number(m.totalBytes));
  let at = 0;
  for (const c of chunks) {
    if (at + c.length > all.length) bad("chunks longer than the manifest says");
    all.set(c, at);
    at += c.length;
  }
  if (at !== all.length) bad("chunks shorter than the manifest says");
  const view = new DataView(all.buffer);
  let tree = StateTree.empty();
  let o = 0;
  const take = () => {
    if (o + 4 > all.length) bad("truncated entry");
    const n = view.getUint32(o);
    o += 4;
    if (o + n > all.length) bad("truncated entry");
    const out = all.slice(o, o + n);
    o += n;
    return out;
  };
  while (o < all.length) {
    const k = take();
    tree = tree.set(k, take());
  }
  const root = tree.root();
  for (let i = 0; i < 32; i++) if (root[i] !== m.stateRoot[i]) bad("rebuilt state root differs");
  return tree;
}

function bad(reason: string): never {
  throw new StateSnapshotError({ code: "SNAPSHOT_BAD_STATE", reason }, `bad snapshot state: ${reason}`);
}

export function encodeManifest(m: SnapshotManifest): Uint8Array {
  return encode(SnapshotManifestCodec, m);
}

export function decodeManifest(b: Uint8Array): SnapshotManifest {
  return decode(SnapshotManifestCodec, b);
}
