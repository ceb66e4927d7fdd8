import type { Block, Commit } from "../core/chain/index.js";
import { bytesEqual } from "../core/codec/index.js";

/**
 * One simulated node's committed blocks, index = height − 1: what block sync (sync.ts) serves, each block
 * with a commit for it. As a real node does (CometBFT's block store too), the commit served for a block is
 * the next block's `lastCommit`, which that block already carries and which was checked when it was
 * executed; only the newest block's commit is the node's own. PERF (issue 21): at 100 validators every
 * node kept its own commit of every height, 67–100 signature entries each: a 1,000-height run held
 * ≈ 0.5 MB more per height and its heap growth slowed every collection. Blocks are shared by all nodes, so
 * a history is now one reference per height. A commit the next block does not carry (it names another
 * block: never for an honest chain) is kept as it is.
 */
export class History {
  private readonly blocks: Block[] = [];
  /** Commits kept because no next block carries them, by index. */
  private readonly kept = new Map<number, Commit>();
  /** The newest block's commit (the node's own). */
  private last: Commit | null = null;

  get length(): number {
    return this.blocks.length;
  }

  push(block: Block, commit: Commit): void {
    const prev = this.blocks.length - 1;
    const carried = block.lastCommit;
    if (
      this.last &&
      !(carried && carried.height === this.last.height && bytesEqual(carried.blockHash, this.last.blockHash))
    )
      this.kept.set(prev, this.last);
    this.blocks.push(block);
    this.last = commit;
  }

  /** Entry `i` (height i + 1) and a commit for it. */
  at(i: number): { block: Block; commit: Commit } | undefined {
    const block = this.blocks[i];
    if (!block) return undefined;
    const commit =
      i === this.blocks.length - 1 ? this.last : (this.kept.get(i) ?? this.blocks[i + 1]?.lastCommit);
    return commit ? { block, commit } : undefined;
  }

  /** Entries from index `i` on. */
  from(i: number): { block: Block; commit: Commit }[] {
    const out: { block: Block; commit: Commit }[] = [];
    for (let k = Math.max(0, i); k < this.blocks.length; k++) {
      const e = this.at(k);
      if (e) out.push(e);
    }
    return out;
  }
}
