import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { verify } from "../core/crypto/index.js";

/**
 * Signature work on other cores, with synchronous answers (issue 21: 100 validators sign ~200 votes per
 * height, and signing and checking them costs more than everything else the simulator does).
 *
 * Two kinds of job:
 * - check: the simulator submits a message's check when the message is sent and asks for the verdict
 *   when it is delivered, typically many events later;
 * - sign-and-check: when a block is proposed, the simulator asks for every honest validator's prevote and
 *   precommit for it in advance (what an honest validator most likely signs next); the thread signs and
 *   then checks the signature. When the engine does ask for that vote, its signature and verdict are
 *   already there; any other vote is signed in line.
 * Answers come back through SharedArrayBuffers. A job no thread has started yet when the simulator needs
 * its answer is taken back and computed in line (each job's slot moves pending → claimed by exactly one
 * side, with a compare-and-swap); the simulator blocks (Atomics.wait) only on a job a thread is computing. Nothing in a run depends on this: ed25519 signatures are deterministic (RFC 8032) and a
 * verdict is a pure function computed by the same `verify` of core/crypto, whichever thread computes them
 * and whenever — a run with threads has the digest of a run without.
 */
export interface PoolJob {
  slot: number;
  /** Job id (masked) shifted left by 2; the low bits carry the verdict: 1 valid, 2 invalid. */
  tag: number;
  /** "check": publicKey (32) ‖ signature (64) ‖ message; "sign": secretKey (32) ‖ publicKey (32) ‖ message. */
  kind: "check" | "sign";
  /** In a buffer of its own (transferred, not copied). */
  bytes: Uint8Array;
}

const SLOTS = 1 << 16;
/** Low bits of a job's slot: 0 pending, 1 valid, 2 invalid, CLAIMED being computed by a thread. */
export const CLAIMED = 3;
const ID_MASK = (1 << 28) - 1;
/** Jobs are posted in batches of this many (or sooner, when an answer is needed). */
const BATCH = 16;
/** An answer not back after this long is computed here, and the pool is given up (threads stuck or dead). */
const WAIT_MS = 5_000;

export class VerifyPool {
  private readonly results = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly signatures = new Uint8Array(new SharedArrayBuffer(SLOTS * 64));
  private readonly workers: Worker[];
  private next = 0;
  private batch: PoolJob[] = [];
  /** Tickets below this one are posted. */
  private posted = 0;
  submitted = 0;
  waited = 0;
  /** Jobs computed in line because no thread had started them when their answer was needed. */
  stolen = 0;
  /** Set when a thread failed or stalled: answers are then computed in line. */
  broken = false;

  constructor(threads: number) {
    // Under the TypeScript sources (tests), the worker is a .ts file: register tsx in it first. The path
    // goes through `../sim/` because this code runs from src/sim/, dist/sim/ and the CLI bundle's
    // dist/chunks/ (`npm run build:bundle`), all one level below the worker's folder's parent.
    const ts = import.meta.url.endsWith(".ts");
    const url = new URL(`../sim/verify-worker.${ts ? "ts" : "js"}`, import.meta.url);
    const workerData = { results: this.results.buffer, signatures: this.signatures.buffer };
    this.workers = Array.from({ length: threads }, () => {
      const w = ts
        ? new Worker(
            `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`,
            { eval: true, workerData },
          )
        : new Worker(url, { workerData });
      w.on("error", () => {
        this.broken = true;
      });
      w.unref();
      return w;
    });
  }

  /** Starts checking one signature; returns the ticket to ask `verdict` with. */
  submit(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): number {
    return this.push("check", publicKey, signature, message);
  }

  /** Starts signing `message` and checking the result; ask `signature` and `verdict` with the ticket. */
  submitSign(secretKey: Uint8Array, publicKey: Uint8Array, message: Uint8Array): number {
    return this.push("sign", secretKey, publicKey, message);
  }

  private push(kind: PoolJob["kind"], a: Uint8Array, b: Uint8Array, message: Uint8Array): number {
    const id = this.next++;
    const slot = id & (SLOTS - 1);
    Atomics.store(this.results, slot, (id & ID_MASK) << 2); // pending
    // PERF: one fresh buffer per job. Posting views (Buffer slices of node's 8 KiB pool) would clone their
    // whole underlying buffers.
    const bytes = new Uint8Array(a.length + b.length + message.length);
    bytes.set(a, 0);
    bytes.set(b, a.length);
    bytes.set(message, a.length + b.length);
    this.batch.push({ slot, tag: (id & ID_MASK) << 2, kind, bytes });
    this.submitted++;
    if (this.batch.length >= BATCH) this.flush();
    return id;
  }

  /** Posts the queued jobs now (else when a batch is full or an answer is asked for), round robin. */
  flush(): void {
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

  /**
   * Waits for ticket `id`; false when the caller must compute the answer itself: no thread had started the
   * job (it is taken back), or the pool gave up.
   */
  private await(id: number): boolean {
    const slot = id & (SLOTS - 1);
    const tag = (id & ID_MASK) << 2;
    const ready = (v: number) => (v & ~3) === tag && (v & 3) !== CLAIMED && (v & 3) !== 0;
    let v = Atomics.load(this.results, slot);
    if (ready(v)) return true;
    if (this.broken) return false;
    // PERF: a job still queued would keep this thread idle while a pool thread works through the jobs
    // before it: do it here instead (the thread skips a job it cannot claim).
    if (Atomics.compareExchange(this.results, slot, tag, tag | CLAIMED) === tag) {
      this.stolen++;
      return false;
    }
    if (id >= this.posted) this.flush();
    this.waited++;
    let timeouts = 0;
    while (!ready(v) && timeouts < WAIT_MS / 50 && !this.broken) {
      if (Atomics.wait(this.results, slot, v, 50) === "timed-out") timeouts++;
      v = Atomics.load(this.results, slot);
    }
    if (ready(v)) return true;
    this.broken = true; // a pool this slow (or a lost slot) is worse than none
    return false;
  }

  /** Whether a thread has answered ticket `id` (does not wait). */
  answered(id: number): boolean {
    const v = Atomics.load(this.results, id & (SLOTS - 1));
    return (v & ~3) === (id & ID_MASK) << 2 && (v & 3) !== 0 && (v & 3) !== CLAIMED;
  }

  /** The verdict of ticket `id`; `job` gives its inputs, to compute it here when the pool does not. */
  verdict(id: number, job: () => [Uint8Array, Uint8Array, Uint8Array]): boolean {
    if (!this.await(id)) return verify(...job());
    return (Atomics.load(this.results, id & (SLOTS - 1)) & 3) === 1;
  }

  /** The signature of a sign ticket (a copy), or null when the caller is to sign (see `await`). */
  signature(id: number): Uint8Array | null {
    if (!this.await(id)) return null;
    const at = (id & (SLOTS - 1)) * 64;
    return this.signatures.slice(at, at + 64);
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let shared: VerifyPool | null | undefined;

/**
 * The process's pool: one thread per core besides the simulation's own (at least one), made on first use
 * and reused by every simulation (sweeps run thousands); null when `threads` is 0 (signature work runs in
 * line). A thread more than that only takes turns with the simulation on the same cores.
 */
export function verifyPool(threads = Math.max(1, availableParallelism() - 1)): VerifyPool | null {
  if (threads <= 0) return null;
  shared ??= new VerifyPool(threads);
  return shared;
}
