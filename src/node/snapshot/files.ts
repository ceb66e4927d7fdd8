/**
 * State snapshots on disk (issue 17): `<home>/data/snapshots/<height>/manifest.bin` and `chunk-<i>.bin`.
 * Files, not LevelDB: they are written off the commit path, read by chunk index when peers ask, and
 * dropped by directory; the manifest is written last (through a rename), so a snapshot without one is an
 * unfinished write and is ignored (and removed at the next prune).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  decodeManifest,
  encodeManifest,
  encodeStateChunks,
  hashChunks,
  SNAPSHOT_FORMAT,
  type SnapshotManifest,
} from "../../core/chain/snapshot.js";
import type { State } from "../../core/chain/state.js";
import { chainMeta } from "../chain-state.js";

export function snapshotsDir(dataDir: string): string {
  return join(dataDir, "snapshots");
}

/** Writes the snapshot of `state` (an immutable value: the node keeps committing meanwhile). */
export async function writeSnapshot(
  dataDir: string,
  state: State,
  chunkSize: number,
): Promise<SnapshotManifest> {
  const { chunks, totalBytes } = encodeStateChunks(state.tree, chunkSize);
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    height: state.height,
    blockHash: state.lastBlockHash,
    stateRoot: state.tree.root(),
    chunkSize,
    totalBytes: BigInt(totalBytes),
    chunkHashes: hashChunks(chunks),
    meta: chainMeta(state).chain as Uint8Array,
  };
  const dir = join(snapshotsDir(dataDir), String(state.height));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [i, c] of chunks.entries()) await writeFile(join(dir, `chunk-${i}.bin`), c);
  await writeFile(join(dir, "manifest.bin.tmp"), encodeManifest(manifest));
  await rename(join(dir, "manifest.bin.tmp"), join(dir, "manifest.bin"));
  return manifest;
}

/** Heights with a complete snapshot, newest first. */
export function snapshotHeights(dataDir: string): bigint[] {
  const dir = snapshotsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n) && existsSync(join(dir, n, "manifest.bin")))
    .map((n) => BigInt(n))
    .sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
}

export function readManifest(dataDir: string, height: bigint): SnapshotManifest | null {
  try {
    return decodeManifest(
      new Uint8Array(readFileSync(join(snapshotsDir(dataDir), String(height), "manifest.bin"))),
    );
  } catch {
    return null;
  }
}

export async function readChunk(dataDir: string, height: bigint, index: number): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(join(snapshotsDir(dataDir), String(height), `chunk-${index}.bin`)));
  } catch {
    return null;
  }
}

/** Keeps the newest `keep` complete snapshots; removes older ones and unfinished writes. */
export function pruneSnapshots(dataDir: string, keep: number, writing?: bigint): void {
  const dir = snapshotsDir(dataDir);
  if (!existsSync(dir)) return;
  const kept = new Set(snapshotHeights(dataDir).slice(0, keep).map(String));
  for (const n of readdirSync(dir)) {
    if (kept.has(n) || (writing !== undefined && n === String(writing))) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
  }
}
