/**
 * Idle mode (issue 19 item 6): after a commit, an idle chain waits before it starts the next height, so
 * a devnet with nothing to do makes one empty block per interval instead of ten a second. Like CometBFT's
 * `create_empty_blocks_interval`, but the wait ends as soon as there is work: a tx admitted to the
 * mempool, pending evidence, or a peer already at the next height (its proposal or votes in the future
 * buffer). A tx is therefore proposed at once and `tx --wait` stays fast.
 *
 * SAFETY: this only delays when a height *starts*; every step of the engine and every timeout after it
 * are unchanged, so it cannot affect what is decided — only when. A node that waits while the others
 * start joins them on their first message.
 */

export interface IdleGateDeps {
  /** Longest wait after the commit wait when idle (ms); 0 turns idle mode off (continuous blocks). */
  intervalMs: number;
  /** The chain's commit wait (ms): the gate never starts a height sooner than that. */
  commitWaitMs: number;
  /** True when the next height has work that should not wait (mempool txs, evidence, peers ahead). */
  hasWork(height: bigint): boolean;
  later(ms: number, fn: () => void): void;
  /** Starts `height` (idempotent: a second call for one height does nothing). */
  start(height: bigint): void;
}

export function createIdleGate(deps: IdleGateDeps) {
  /** The height held back while idle, or null. */
  let waiting: bigint | null = null;

  function release(): void {
    if (waiting === null) return;
    const h = waiting;
    waiting = null;
    deps.start(h);
  }

  return {
    /**
     * Called once a block is committed: starts `next` after the commit wait, or — when the block was empty
     * and nothing is waiting to go in — holds it until there is work or the interval is over. A block with
     * txs never idles the next height: the mempool may hold more than fitted in it.
     */
    afterCommit(next: bigint, blockHadTxs: boolean): void {
      deps.later(deps.commitWaitMs, () => {
        if (deps.intervalMs <= 0 || blockHadTxs || deps.hasWork(next)) return deps.start(next);
        waiting = next;
        deps.later(Math.max(0, deps.intervalMs - deps.commitWaitMs), () => {
          if (waiting === next) release();
        });
      });
    },
    /** Something arrived (a tx, evidence, a message from a peer): start the held height if it now has work. */
    poke(): void {
      if (waiting !== null && deps.hasWork(waiting)) release();
    },
    /** True while a height is held back (for status and tests). */
    get idle(): boolean {
      return waiting !== null;
    },
  };
}

export type IdleGate = ReturnType<typeof createIdleGate>;
