/**
 * Block pruning (issue 17, config `pruning.keepBlocks`): after each commit, blocks older than the newest
 * `keepBlocks` are deleted (with their commits and tx index entries) so a long-running node's disk stays
 * bounded. The state is never pruned (it is the current state, not history), and state snapshots are
 * files of their own: a pruned node still serves snapshots and its recent blocks, so new nodes state-sync
 * from it and block-sync the rest.
 */
import { decodeBlock, hashBlock } from "../core/chain/block.js";
import { hashTx } from "../core/chain/tx.js";
import type { Store } from "./store.js";

/** Most blocks deleted in one batch (pruning a long backlog goes on at the next commits). */
const PRUNE_BATCH = 500n;

export function createPruner(deps: {
  store: Pick<Store, "pruneBlocks" | "getMeta">;
  keepBlocks: number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}) {
  let prunedBelow: bigint | null = null;
  let running = false;
  return {
    /** After a commit at `height`: prunes what fell out of the window (one batch at a time, async). */
    onCommitted(height: bigint): void {
      if (deps.keepBlocks <= 0 || running) return;
      const keepFrom = height - BigInt(deps.keepBlocks) + 1n;
      if (keepFrom <= 1n) return;
      running = true;
      void (async () => {
        if (prunedBelow === null) {
          const raw = await deps.store.getMeta("prunedBelow");
          prunedBelow = raw ? new DataView(raw.buffer, raw.byteOffset).getBigUint64(0) : 1n;
        }
        if (prunedBelow >= keepFrom) return;
        const below = prunedBelow + PRUNE_BATCH < keepFrom ? prunedBelow + PRUNE_BATCH : keepFrom;
        const n = await deps.store.pruneBlocks(prunedBelow, below, (bytes) => {
          const b = decodeBlock(bytes);
          return { hash: hashBlock(b), txs: b.txs.map((t) => hashTx(t)) };
        });
        prunedBelow = below;
        if (n) deps.log.info({ below: String(below), blocks: n }, "pruned old blocks");
      })()
        .catch((err: unknown) => deps.log.warn({ err: String(err) }, "pruning failed"))
        .finally(() => {
          running = false;
        });
    },
  };
}
