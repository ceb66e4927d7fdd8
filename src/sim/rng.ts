import { sha256 } from "../core/crypto/index.js";

/**
 * The simulator's only source of randomness (DESIGN.md §1: no `Math.random` in sim/): sfc32, a small
 * 32-bit generator with integer arithmetic only, seeded from SHA-256 of the seed string, so a seed gives
 * the same run on every machine and Node version. `fork(label)` derives an independent stream, so adding
 * draws in one part (say the tx load) does not shift the choices of another (the network).
 */
export interface Rng {
  /** A float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(list: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(list: readonly T[]): T[];
  /** An independent stream named `label`, derived from this one's seed. */
  fork(label: string): Rng;
}

export function createRng(seed: string): Rng {
  const h = sha256(new TextEncoder().encode(`fastpos-sim/${seed}`));
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  let a = dv.getUint32(0);
  let b = dv.getUint32(4);
  let c = dv.getUint32(8);
  let d = dv.getUint32(12) | 1;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = () => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => p > 0 && next() < p,
    pick: (list) => list[Math.floor(next() * list.length)] as (typeof list)[number],
    shuffle(list) {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
    fork: (label) => createRng(`${seed}/${label}`),
  };
}
