import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { verify } from "../core/crypto/index.js";

/**
 * Signature checks on other cores, with a synchronous answer (issue 21: 100 validators sign ~200 votes per
 * height, and checking them costs more than everything else the simulator does).
 *
 * The simulator submits a message's check when the message is sent and asks for the verdict when it is
 * delivered, typically many events later, so the worker threads run ahead while the event loop goes on.
 * Verdicts come back through a SharedArrayBuffer; `verdict` blocks with Atomics.wait only if the answer
 * is not there yet. Nothing in a run depends on this: a verdict is a pure function of (key, message,
 * signature) computed by the same `verify` of core/crypto, whichever thread computes it and whenever —
 * so a run with workers has the digest of a run without.
 */
export interface VerifyJob {
  slot: number;
  /** Job id (masked) shifted left by 2; the low bits carry the verdict: 1 valid, 2 invalid. */
  tag: number;
  /** publicKey (32) ‖ signature (64) ‖ message, in a buffer of its own (transferred, not copied). */
  bytes: Uint8Array;
}

/** Jobs are posted in batches of this many (or sooner, when a verdict is needed). */
const BATCH = 16;

const SLOTS = 1 << 16;
const ID_MASK = (1 << 28) - 1;
/** A verdict not back after this long is computed here, and the pool is given up (threads stuck or dead). */
const WAIT_MS = 5_000;

export class VerifyPool {
  private readonly results = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly workers: Worker[];
  private next = 0;
  private batch: VerifyJob[] = [];
  /** Tickets below this one are posted. */
  private posted = 0;
  submitted = 0;
  /** Set when a thread failed: verdicts are then computed in line. */
  broken = false;
  waited = 0;

  constructor(threads: number) {
    // Under the TypeScript sources (tests), the worker is a .ts file: register tsx in it first.
    const ts = import.meta.url.endsWith(".ts");
    const url = new URL(`./verify-worker.${ts ? "ts" : "js"}`, import.meta.url);
    const workerData = { results: this.results.buffer };
    this.workers = Array.from({ length: threads }, () => {
      const w = ts
        ? new Worker(
            `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`,
            { eval: true, workerData },
          )
        : new Worker(url, { workerData });
      // A thread that cannot run (or dies) turns the pool off: checks run in line from then on.
      w.on("error", () => {
        this.broken = true;
      });
      w.unref();
      return w;
    });
  }

  /** Starts checking one signature; returns the ticket to ask `verdict` with. */
  submit(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): number {
    const id = this.next++;
    const slot = id & (SLOTS - 1);
    const tag = (id & ID_MASK) << 2;
    Atomics.store(this.results, slot, 0);
    // PERF: one fresh buffer per job. Posting views (Buffer slices of node's 8 KiB pool) would clone their
    // whole underlying buffers.
    const bytes = new Uint8Array(96 + message.length);
    bytes.set(publicKey, 0);
    bytes.set(signature, 32);
    bytes.set(message, 96);
    this.batch.push({ slot, tag, bytes });
    this.submitted++;
    if (this.batch.length >= BATCH) this.flush();
    return id;
  }

  /** Posts the batch, round robin over the threads. */
  private flush(): void {
    if (!this.batch.length) return;
    const jobs = this.batch;
    this.batch = [];
    const w = this.workers[this.posted % this.workers.length] as Worker;
    this.posted = this.next;
    w.postMessage(
      jobs,
      jobs.map((j) => j.bytes.buffer as ArrayBuffer),
    );
  }

  /** The verdict of ticket `id` (waiting for it if needed); `job` recomputes it if the slot was lost. */
  verdict(id: number, job: () => [Uint8Array, Uint8Array, Uint8Array]): boolean {
    const slot = id & (SLOTS - 1);
    const tag = (id & ID_MASK) << 2;
    let v = Atomics.load(this.results, slot);
    if ((v & ~3) !== tag || (v & 3) === 0) {
      if (this.broken) return verify(...job());
      if (id >= this.posted) this.flush();
      this.waited++;
      let timeouts = 0;
      while (((v & ~3) !== tag || (v & 3) === 0) && timeouts < WAIT_MS / 50 && !this.broken) {
        if (Atomics.wait(this.results, slot, v, 50) === "timed-out") timeouts++;
        v = Atomics.load(this.results, slot);
      }
      if ((v & ~3) !== tag || (v & 3) === 0) {
        // A pool this slow (or a lost slot) is worse than none: check in line from now on.
        this.broken = true;
        return verify(...job());
      }
    }
    return (v & 3) === 1;
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let shared: VerifyPool | null | undefined;

/**
 * The process's pool: one thread per core (at least one), made on first use and reused by every
 * simulation (sweeps run thousands); null when `threads` is 0 (checks run in line).
 */
export function verifyPool(threads = Math.max(1, availableParallelism())): VerifyPool | null {
  if (threads <= 0) return null;
  shared ??= new VerifyPool(threads);
  return shared;
}
