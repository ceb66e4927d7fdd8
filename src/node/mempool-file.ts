/**
 * The mempool across a clean stop (issue 24 item 11): a tx the API answered 202 for must survive `devnet
 * stop`/SIGTERM even if its gossip had not left yet. On stop the pending txs are written, as their canonical
 * bytes, to `<home>/data/mempool.bin` (atomic write); on start they are re-admitted through the normal gate
 * (stale ones are simply rejected again) and the file is removed.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { bytes, decode, encode, struct, vector } from "../core/codec/index.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";

const MempoolFileCodec = struct({ txs: vector(bytes(64 * 1024), 1_000_000) });

/** Writes `txs` (canonical tx bytes) to `file`, replacing it atomically. */
export function saveMempool(file: string, txs: Iterable<Uint8Array>): number {
  const list = [...txs];
  writeFileAtomicSync(file, encode(MempoolFileCodec, { txs: list }));
  return list.length;
}

/**
 * The tx bytes saved in `file` (and the file removed), or [] when there is none. A file that does not
 * decode is reported through `onCorrupt` and removed: txs are re-sendable, a node that cannot start is not.
 */
export function takeSavedMempool(file: string, onCorrupt: (reason: string) => void): Uint8Array[] {
  if (!existsSync(file)) return [];
  let txs: Uint8Array[] = [];
  try {
    txs = decode(MempoolFileCodec, new Uint8Array(readFileSync(file))).txs;
  } catch (err) {
    onCorrupt((err as Error).message);
  }
  rmSync(file, { force: true });
  return txs;
}
