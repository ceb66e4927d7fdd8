import { parentPort, workerData } from "node:worker_threads";
import { verify } from "../core/crypto/index.js";
import type { VerifyJob } from "./verify-pool.js";

/**
 * A verification thread of the simulator's pool (verify-pool.ts): runs THE `verify` of core/crypto on each
 * job and publishes the verdict in the shared results array, where the simulator waits for it.
 */
const results = new Int32Array(workerData.results as SharedArrayBuffer);
parentPort?.on("message", (jobs: VerifyJob[]) => {
  for (const j of jobs) {
    const b = j.bytes;
    const ok = verify(b.subarray(0, 32), b.subarray(96), b.subarray(32, 96));
    Atomics.store(results, j.slot, j.tag | (ok ? 1 : 2));
    Atomics.notify(results, j.slot);
  }
});
