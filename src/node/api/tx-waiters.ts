/**
 * Push finality for `GET /v1/txs/:hash?wait=final` (issue 22 item 3): requests parked until the block
 * holding their tx commits, woken by the node's commit (`onCommitted`, fed from the `newBlock` it
 * publishes after the block's store batch is written, so a woken request finds the tx in the store).
 *
 * Bounded: at most `max` requests wait at once (past it `TOO_MANY_WAITERS`), each for at most its own
 * `timeoutMs`, and one that is aborted (client gone, server closing) leaves at once. Why a long-poll and
 * not an event: docs/operations.md "Design decisions".
 */
import { ApiError } from "./http.js";

/** Longest `timeoutMs` a caller may ask for (the request's time limit grows by it). */
export const MAX_TX_WAIT_MS = 30_000;
/** `timeoutMs` when a `wait=final` request names none. */
export const DEFAULT_TX_WAIT_MS = 10_000;

/**
 * How a parked request ended: a block with its tx committed (or a block whose hash list was cut short:
 * look in the store), its time ran out, its client went away, or the node is closing.
 */
export type WaitOutcome = "committed" | "timeout" | "aborted" | "closed";

interface Waiter {
  hash: string;
  done(outcome: WaitOutcome): void;
}

export interface TxWaiters {
  /**
   * Parks a request for tx `hash` (0x-hex, lower case). Registers synchronously, before the caller's store
   * lookup, so a commit landing between the lookup and the wait is not missed; the caller checks the store
   * after calling this and `cancel`s when the tx is already there.
   * @throws ApiError 503 TOO_MANY_WAITERS when `max` requests already wait.
   */
  wait(
    hash: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): { outcome: Promise<WaitOutcome>; cancel(): void };
  /** A block committed with these txs (hex hashes); `complete` false when the list was cut short. */
  onCommitted(hashes: readonly string[], complete: boolean): void;
  /** Ends every parked request with "closed" (node shutdown). */
  close(): void;
  readonly size: number;
}

/**
 * Parses the `wait` and `timeoutMs` query of `GET /v1/txs/:hash`: null without `wait`, else the wait in ms.
 * @throws ApiError 400 BAD_WAIT / BAD_TIMEOUT for anything else than `wait=final` and an integer
 *   0…MAX_TX_WAIT_MS.
 */
export function parseTxWait(query: URLSearchParams): number | null {
  const wait = query.get("wait");
  const raw = query.get("timeoutMs");
  if (wait === null) {
    if (raw !== null)
      throw new ApiError(400, "BAD_TIMEOUT", "timeoutMs applies only with wait=final", {
        param: "timeoutMs",
      });
    return null;
  }
  if (wait !== "final")
    throw new ApiError(400, "BAD_WAIT", `wait must be "final", got "${wait.slice(0, 40)}"`, {
      param: "wait",
    });
  if (raw === null) return DEFAULT_TX_WAIT_MS;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) > MAX_TX_WAIT_MS)
    throw new ApiError(
      400,
      "BAD_TIMEOUT",
      `timeoutMs must be an integer from 0 to ${MAX_TX_WAIT_MS}, got "${raw.slice(0, 40)}"`,
      { param: "timeoutMs", max: MAX_TX_WAIT_MS },
    );
  return Number(raw);
}

/** See the file header; `max` is config `api.maxTxWaiters`. */
export function createTxWaiters(opts: { max: number }): TxWaiters {
  const byHash = new Map<string, Set<Waiter>>();
  let size = 0;

  function remove(w: Waiter): void {
    const set = byHash.get(w.hash);
    if (!set?.delete(w)) return;
    size--;
    if (set.size === 0) byHash.delete(w.hash);
  }

  return {
    wait(hash, timeoutMs, signal) {
      if (size >= opts.max)
        throw new ApiError(
          503,
          "TOO_MANY_WAITERS",
          `this node holds at most ${opts.max} waiting requests; retry shortly or poll without wait=final`,
          { max: opts.max },
        );
      let settle!: (o: WaitOutcome) => void;
      const outcome = new Promise<WaitOutcome>((r) => {
        settle = r;
      });
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => w.done("aborted");
      const w: Waiter = {
        hash,
        done(o) {
          remove(w);
          if (timer) clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          settle(o);
        },
      };
      if (signal.aborted) {
        settle("aborted");
        return { outcome, cancel() {} };
      }
      let set = byHash.get(hash);
      if (!set) {
        set = new Set();
        byHash.set(hash, set);
      }
      set.add(w);
      size++;
      signal.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(() => w.done("timeout"), timeoutMs);
      return { outcome, cancel: () => w.done("aborted") };
    },
    onCommitted(hashes, complete) {
      if (size === 0) return;
      if (!complete) {
        // NOTE: the event's hash list is capped; every waiter re-checks the store instead.
        for (const set of [...byHash.values()]) for (const w of [...set]) w.done("committed");
        return;
      }
      for (const h of hashes) {
        const set = byHash.get(h);
        if (set) for (const w of [...set]) w.done("committed");
      }
    },
    close() {
      for (const set of [...byHash.values()]) for (const w of [...set]) w.done("closed");
    },
    get size() {
      return size;
    },
  };
}
