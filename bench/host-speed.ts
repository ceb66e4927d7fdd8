/**
 * The host's speed, recorded by every benchmark that compares runs (`npm run bench`, `npm run bench:compare`):
 * this shared machine's speed drifts by 10–20% between hours, so a tx/s figure means little without the
 * single-core signature verifications/s measured around it.
 */
import { getPublicKey, sign, verify } from "../src/core/crypto/index.js";
import { median } from "./stats.js";

/** Single-core verifications/s through `verify` (cached key, as a node verifies), median of 3 × ~0.5 s. */
export function verifiesPerSecond(): number {
  const sk = new Uint8Array(32).fill(9);
  const items = Array.from({ length: 64 }, (_, i) => {
    const message = new Uint8Array(150).fill(i);
    return { pk: getPublicKey(sk), message, sig: sign(sk, message) };
  });
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 500) {
      for (const it of items) if (verify(it.pk, it.message, it.sig)) n++;
    }
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  return Math.round(median(rates));
}
