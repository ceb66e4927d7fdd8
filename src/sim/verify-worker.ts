import { type KeyObject, sign } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { seedKeyObject, verify } from "../core/crypto/index.js";
import { CLAIMED, type PoolJob } from "./verify-pool.js";

/**
 * A thread of the simulator's signature pool (verify-pool.ts): signs with node:crypto (as the simulator's
 * signer does), checks with THE `verify` of core/crypto, and publishes the answers in the shared arrays.
 */
const results = new Int32Array(workerData.results as SharedArrayBuffer);
const signatures = new Uint8Array(workerData.signatures as SharedArrayBuffer);
const keys = new Map<string, KeyObject>();

function keyOf(secret: Uint8Array): KeyObject {
  const id = Buffer.from(secret).toString("latin1");
  let k = keys.get(id);
  if (!k) {
    k = seedKeyObject(secret);
    keys.set(id, k);
  }
  return k;
}

parentPort?.on("message", (jobs: PoolJob[]) => {
  for (const j of jobs) {
    // The simulator may have taken the job back (it needed the answer before this thread got to it).
    if (Atomics.compareExchange(results, j.slot, j.tag, j.tag | CLAIMED) !== j.tag) continue;
    const b = j.bytes;
    let ok: boolean;
    if (j.kind === "check") ok = verify(b.subarray(0, 32), b.subarray(96), b.subarray(32, 96));
    else {
      const message = b.subarray(64);
      const signature = new Uint8Array(sign(null, message, keyOf(b.subarray(0, 32))));
      signatures.set(signature, j.slot * 64);
      ok = verify(b.subarray(32, 64), message, signature);
    }
    Atomics.store(results, j.slot, j.tag | (ok ? 1 : 2));
    Atomics.notify(results, j.slot);
  }
});
