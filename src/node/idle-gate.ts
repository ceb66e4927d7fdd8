/**
 * Idle mode (issue 19 item 6): after a commit, an idle chain waits before it starts the next height, so
 * a devnet with nothing to do makes one empty block per interval instead of ten a second. Like CometBFT's
 * `create_empty_blocks_interval`, but the wait ends as soon as there is work: a tx admitted to the
 * mempool, pending evidence, or a peer already at the next height (its proposal or votes in the future
 * buffer). A tx is therefore proposed at once and `tx --wait` stays fast.
 *
 * SAFETY: this only moves when a height *starts*; every step of the engine and every timeout after it
 * are unchanged, so it cannot affect what is decided — only when. A node that waits while the others
 * start joins them on their first message. Starting before the commit wait is over happens only when the
 * last commit already holds every validator's precommit, so the next block's lastCommit loses nothing
 * (downtime accounting reads it).
 */

export interface IdleGateDeps {
  /** Longest wait after the commit wait when idle (ms); 0 turns idle mode off (continuous blocks). */
  intervalMs: number;
  /** The chain's commit wait (ms): the gate starts a height sooner only once the last commit is complete. */
  commitWaitMs: number;
  /** True when the next height has work that should not wait (mempool txs, evidence, peers ahead). */
  hasWork(height: bigint): boolean;
  /**
   * True when the commit of the height just decided holds every validator's precommit: the commit wait,
   * which is there to collect late precommits for the next block's lastCommit, has nothing left to wait for.
   */
  lastCommitComplete(): boolean;
  later(ms: number, fn: () => void): void;
  /** Starts `height` (idempotent: a second call for one height does nothing). */
  start(height: bigint): void;
}

export function createIdleGate(deps: IdleGateDeps) {
  /** The height in its commit wait, or null. */
  let committing: bigint | null = null;
  /** The height held back while idle, or null. */
  let waiting: bigint | null = null;

  function begin(h: bigint): void {
    if (committing === h) committing = null;
    if (waiting === h) waiting = null;
    deps.start(h);
  }

  return {
    /**
     * Called once a block is committed: starts `next` after the commit wait — or at once, when that wait
     * has nothing left to collect (every precommit is in) and there is work. When nothing is waiting to go
     * in, it holds the height until there is work or the interval is over.
     * PERF (issue 22 item 3): a block with txs no longer forces one more height: a tx sent right after its
     * predecessor was final used to wait for that empty height and a second commit wait (CometBFT's
     * skip_timeout_commit is the same early start).
     */
    afterCommit(next: bigint): void {
      committing = next;
      if (deps.hasWork(next) && deps.lastCommitComplete()) return begin(next);
      deps.later(deps.commitWaitMs, () => {
        if (committing !== next) return;
        committing = null;
        if (deps.intervalMs <= 0 || deps.hasWork(next)) return begin(next);
        waiting = next;
        deps.later(Math.max(0, deps.intervalMs - deps.commitWaitMs), () => {
          if (waiting === next) begin(next);
        });
      });
    },
    /**
     * Something arrived (a tx, evidence, a message from a peer, a late precommit): start the held height
     * if it now has work; a height in its commit wait starts early once the last commit is complete too.
     */
    poke(): void {
      if (waiting !== null && deps.hasWork(waiting)) return begin(waiting);
      if (committing !== null && deps.hasWork(committing) && deps.lastCommitComplete()) begin(committing);
    },
    /** True while a height is held back (for status and tests). */
    get idle(): boolean {
      return waiting !== null;
    },
  };
}
export type IdleGate = ReturnType<typeof createIdleGate>;
