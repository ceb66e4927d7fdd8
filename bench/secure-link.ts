/**
 * `npm run bench:link`: the CPU cost of the encrypted p2p link (issue 23 item 3), as a share of what a node
 * spends on signatures anyway. For frame sizes of a vote, a tx, a batch of txs and a 1 MiB block it times
 * seal + open (AES-256-GCM through node:crypto, the link's own FrameCipher) against one ed25519 `verify`,
 * interleaved in rounds, and prints medians: µs per frame, MB/s, and the ratio to one verify. Every tx
 * reaches each peer in one frame (a few hundred bytes) and must be verified once, so the ratio at tx size
 * is the link's overhead per tx and peer.
 */

import { getPublicKey, sign, verify } from "../src/core/crypto/index.js";
import { createEphemeral, deriveLinkKeys } from "../src/node/p2p/secure-link.js";

const ROUNDS = Number(process.argv[2] ?? 7);
const SIZES = [
  ["vote", 160],
  ["tx", 300],
  ["64 txs", 64 * 300],
  ["block 1 MiB", 1 << 20],
] as const;

function link() {
  const a = createEphemeral();
  const b = createEphemeral();
  const t = {
    genesisHash: new Uint8Array(32).fill(1),
    initiatorNodeKey: new Uint8Array(32).fill(2),
    responderNodeKey: new Uint8Array(32).fill(3),
    initiatorNonce: new Uint8Array(32).fill(4),
    responderNonce: new Uint8Array(32).fill(5),
    initiatorEphemeral: a.publicKey,
    responderEphemeral: b.publicKey,
  };
  return { out: deriveLinkKeys(a, false, t).send, inb: deriveLinkKeys(b, true, t).recv };
}

/** µs per call of `fn`, over enough calls to take ≈ 100 ms. */
function usPer(fn: () => void): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < 100) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const sk = new Uint8Array(32).fill(9);
const pk = getPublicKey(sk);
const msg = new Uint8Array(120).fill(7);
const sig = sign(sk, msg);
const verifyUs: number[] = [];
const frameUs = new Map<string, number[]>(SIZES.map(([name]) => [name, []]));
const { out, inb } = link();
for (let r = 0; r < ROUNDS; r++) {
  verifyUs.push(usPer(() => verify(pk, msg, sig)));
  for (const [name, size] of SIZES) {
    const plain = new Uint8Array(size).fill(r);
    frameUs.get(name)?.push(usPer(() => inb.open(out.seal(plain))));
  }
}
const v = median(verifyUs);
const rows = SIZES.map(([name, size]) => {
  const us = median(frameUs.get(name) as number[]);
  return {
    frame: name,
    bytes: size,
    sealOpenUs: +us.toFixed(2),
    mbPerS: Math.round(size / us),
    perVerify: +(us / v).toFixed(3),
  };
});
console.log(JSON.stringify({ rounds: ROUNDS, verifyUs: +v.toFixed(1), frames: rows }, null, 2));
