import { sha256 } from "../../core/crypto/index.js";

/**
 * The scenario's random choices (issue 16: "node choice may be random from the seed, so a run is
 * reproducible"): SHA-256 in counter mode over the seed, so the same seed picks the same nodes on every
 * machine and Node version.
 */
export interface ScenarioRng {
  /** A number in [0, 1). */
  next(): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(list: readonly T[]): T[];
}

export function createScenarioRng(seed: string): ScenarioRng {
  let counter = 0;
  const enc = new TextEncoder();
  const next = () => {
    const h = sha256(enc.encode(`fastpos-scenario/${seed}/${counter++}`));
    // 48 bits: exact in a double.
    return (
      ((h[0] as number) * 2 ** 40 +
        (h[1] as number) * 2 ** 32 +
        new DataView(h.buffer, h.byteOffset).getUint32(2)) /
      2 ** 48
    );
  };
  const rng: ScenarioRng = {
    next,
    pick: (list) => list[Math.floor(next() * list.length)] as (typeof list)[number],
    shuffle(list) {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
  };
  return rng;
}
