/**
 * Runs CPU-heavy per-item work — tx admission from `/v1/txs/batch`: decode, ed25519 verify, mempool insert —
 * in slices of at most `sliceMs` per event-loop turn, yielding with `setImmediate` in between (issue 24
 * item 7). One runner serves the whole API server and takes its jobs in turn, so however many batches are in
 * flight, the loop is never busy with them for more than one slice before it reads sockets again: honest
 * requests (`GET /v1/status`, consensus traffic on the same loop) keep being answered during a flood.
 *
 * PERF: one slice per turn (not one per job per turn: `setImmediate` callbacks queued together all run in
 * the same check phase, so per-job yields would add up to jobs × sliceMs between two reads of the sockets).
 * Jobs share the slice round-robin, `QUANTUM` items at a time, so one huge batch cannot starve a small one.
 */
export interface CpuSlices {
  /** Items queued and not yet processed, over every job. */
  readonly pending: number;
  /**
   * Calls `fn` on every item, in order, a slice at a time; resolves with the results in order. Rejects with
   * `signal.reason` (skipping the rest) once `signal` aborts. `fn` must not throw (errors are results here).
   */
  run<T, R>(items: readonly T[], fn: (item: T) => R, signal?: AbortSignal): Promise<R[]>;
}

/** Items a job processes before the next job gets its turn within a slice. */
const QUANTUM = 16;

interface Job {
  items: readonly unknown[];
  fn: (item: unknown) => unknown;
  results: unknown[];
  signal: AbortSignal | undefined;
  resolve: (r: unknown[]) => void;
  reject: (err: unknown) => void;
}

export function createCpuSlices(opts: { sliceMs: number; now?: () => number }): CpuSlices {
  const now = opts.now ?? (() => performance.now());
  const jobs: Job[] = [];
  let pending = 0;
  let scheduled = false;

  const finish = (job: Job, err?: unknown) => {
    jobs.splice(jobs.indexOf(job), 1);
    pending -= job.items.length - job.results.length;
    if (err === undefined) job.resolve(job.results);
    else job.reject(err);
  };

  function turn(): void {
    const started = now();
    let first = true;
    // At least one quantum per turn, so work always progresses however slow the host.
    while (jobs.length > 0 && (first || now() - started < opts.sliceMs)) {
      first = false;
      const job = jobs[0] as Job;
      if (job.signal?.aborted) {
        finish(job, job.signal.reason);
        continue;
      }
      for (let k = 0; k < QUANTUM && job.results.length < job.items.length; k++) {
        job.results.push(job.fn(job.items[job.results.length]));
        pending--;
      }
      if (job.results.length === job.items.length) finish(job);
      else if (jobs.length > 1) jobs.push(jobs.shift() as Job);
      if (now() - started >= opts.sliceMs) break;
    }
    scheduled = jobs.length > 0;
    if (scheduled) setImmediate(turn);
  }

  return {
    get pending() {
      return pending;
    },
    run<T, R>(items: readonly T[], fn: (item: T) => R, signal?: AbortSignal): Promise<R[]> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (items.length === 0) return Promise.resolve([]);
      return new Promise<R[]>((resolve, reject) => {
        jobs.push({
          items,
          fn: fn as (item: unknown) => unknown,
          results: [],
          signal,
          resolve: resolve as (r: unknown[]) => void,
          reject,
        });
        pending += items.length;
        if (!scheduled) {
          scheduled = true;
          setImmediate(turn);
        }
      });
    },
  };
}
