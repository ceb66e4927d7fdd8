import { randomBytes } from "node:crypto";

/**
 * Devnet fault injection for one peer (DESIGN.md §6 "Faults without privileges"): what the transport does
 * to that peer's app frames, both ways. `drop`/`dropTypes` cut traffic (partitions, tx-gossip starvation);
 * `delayMs` ± `jitterMs` and `loss` emulate a slow, lossy link. `persist` is not read by the transport: the
 * node saves faults carrying it to its home so they survive a restart (`node/fault-file.ts`).
 */
export interface Fault {
  drop?: boolean;
  /** Drop only app frames of these types (both ways). */
  dropTypes?: number[];
  delayMs?: number;
  /** Extra delay, uniform in [0, jitterMs], added to `delayMs` per frame (order is kept: see `DelayLine`). */
  jitterMs?: number;
  /** Probability in [0, 1] that a frame is dropped. */
  loss?: number;
  /** Saved to the node home and loaded again at start. */
  persist?: boolean;
}

/** A number in [0, 1); seeded so tests can reproduce a loss pattern. */
export type Random = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter): a tiny PRNG for jitter and loss. NOTE: not for secrets;
 * seeded from node:crypto unless a test passes a seed.
 */
export function createRandom(seed: Uint8Array = randomBytes(16)): Random {
  const s = new Uint32Array(4);
  for (let i = 0; i < 16; i++) s[i >> 2] = ((s[i >> 2] as number) << 8) | (seed[i % seed.length] ?? 0);
  let [a, b, c, d] = [s[0] as number, s[1] as number, s[2] as number, s[3] as number];
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * What happens to one frame of `type` under `fault`: `null` = dropped, else the delay in ms (0 = now).
 */
export function frameFate(fault: Fault | undefined, type: number, random: Random): number | null {
  if (!fault) return 0;
  if (fault.drop || fault.dropTypes?.includes(type)) return null;
  if (fault.loss && random() < fault.loss) return null;
  const jitter = fault.jitterMs ? Math.floor(random() * (fault.jitterMs + 1)) : 0;
  return (fault.delayMs ?? 0) + jitter;
}

/**
 * Delivers delayed frames of one connection and direction in the order they were queued, like TCP would:
 * with jitter a later frame may be due earlier, and then waits for the one before it. One timer per line.
 */
export interface DelayLine {
  push(delayMs: number, deliver: () => void): void;
  /** Drops what is still queued (the connection closed or the node stops). */
  clear(): void;
}

export function createDelayLine(now: () => number = () => performance.now()): DelayLine {
  const queue: { at: number; deliver: () => void }[] = [];
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const head = queue[0];
    if (!head || timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        const t = now();
        while (queue.length && (queue[0] as { at: number }).at <= t) queue.shift()?.deliver();
        arm();
      },
      Math.max(0, head.at - now()),
    );
  };
  return {
    push(delayMs, deliver) {
      const t = now();
      if (delayMs <= 0 && queue.length === 0 && last <= t) return deliver();
      const at = Math.max(t + delayMs, last);
      last = at;
      queue.push({ at, deliver });
      arm();
    },
    clear() {
      queue.length = 0;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The delay lines of each connection, one per direction; they go with the connection object. */
export function createFaultLines() {
  const lines = { in: new WeakMap<object, DelayLine>(), out: new WeakMap<object, DelayLine>() };
  const line = (dir: "in" | "out", conn: object): DelayLine => {
    let l = lines[dir].get(conn);
    if (!l) {
      l = createDelayLine();
      lines[dir].set(conn, l);
    }
    return l;
  };
  return {
    inbound: (conn: object) => line("in", conn),
    outbound: (conn: object) => line("out", conn),
  };
}
