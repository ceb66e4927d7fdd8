/**
 * Micro-benchmark: signature verifications per second through THE verify rule (DESIGN.md §2).
 * - sync: `verify` on the event loop (KeyObjects cached, the steady state of a node);
 * - batch: `verifyBatch` of 1024 items on libuv's thread pool (UV_THREADPOOL_SIZE, default 4);
 * - cold: `verify` with a new public key each time (key check + KeyObject creation, a cache miss);
 * - noble: @noble/ed25519 `verify`, for reference only (never used for consensus).
 * Prints the median of 5 runs of each. Run: `node --import tsx bench/verify.ts [items]`.
 */
import * as ed from "@noble/ed25519";
import { getPublicKey, sign, verify, verifyBatch } from "../src/core/crypto/index.js";

const N = Number(process.argv[2] ?? 4096);
const KEYS = 64;
const sks = Array.from({ length: KEYS }, (_, i) => new Uint8Array(32).fill(i + 1));
const pks = sks.map((sk) => getPublicKey(sk));
const items = Array.from({ length: N }, (_, i) => {
  const message = new Uint8Array(128).fill(i & 255);
  new DataView(message.buffer).setUint32(0, i);
  return { publicKey: pks[i % KEYS] as Uint8Array, message, signature: sign(sks[i % KEYS]!, message) };
});

async function perSecond(run: () => unknown, count: number): Promise<number> {
  const start = performance.now();
  await run();
  return Math.round((count * 1000) / (performance.now() - start));
}

async function median5(run: () => unknown, count: number): Promise<number> {
  await run(); // warm-up: JIT and key cache
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) rates.push(await perSecond(run, count));
  return rates.sort((a, b) => a - b)[2] as number;
}

let freshKey = 0;
const coldKeys = () =>
  Array.from({ length: 256 }, () => {
    const sk = new Uint8Array(32);
    new DataView(sk.buffer).setUint32(0, ++freshKey);
    const pk = getPublicKey(sk);
    return { pk, sig: sign(sk, new Uint8Array(1)) };
  });

const rows = {
  sync: await median5(() => {
    for (const i of items) if (!verify(i.publicKey, i.message, i.signature)) throw new Error("bad");
  }, N),
  batch: await median5(async () => {
    for (let at = 0; at < N; at += 1024) {
      const ok = await verifyBatch(items.slice(at, at + 1024));
      if (ok.includes(false)) throw new Error("bad");
    }
  }, N),
  cold: await (async () => {
    const sets = Array.from({ length: 6 }, coldKeys);
    let s = 0;
    return median5(() => {
      const set = sets[s++ % sets.length] as ReturnType<typeof coldKeys>;
      for (const k of set) if (!verify(k.pk, new Uint8Array(1), k.sig)) throw new Error("bad");
    }, 256);
  })(),
  noble: await median5(() => {
    for (const i of items.slice(0, 512))
      if (!ed.verify(i.signature, i.message, i.publicKey)) throw new Error("bad");
  }, 512),
};
console.log(
  `node ${process.version}, OpenSSL ${process.versions.openssl}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}`,
);
console.table(Object.entries(rows).map(([mode, perSec]) => ({ mode, "verify/s (median of 5)": perSec })));
