/**
 * Consensus messages for heights this node has not reached yet (DESIGN.md §4): kept per peer, within a
 * window of heights, and bounded per peer, so one peer cannot fill the buffer for everyone (issue 24 item
 * 3). The driver signature-checks a message before it is buffered; this module only keeps and bounds them.
 */
export interface FutureMessage {
  from: string;
  type: number;
  payload: Uint8Array;
  height: bigint;
}

export interface FutureBufferLimits {
  /** Most messages kept per peer. */
  perPeer: number;
  /** Heights above the current one that are kept at all (current + 1 … current + window). */
  window: bigint;
}

export type FutureBuffer = ReturnType<typeof createFutureBuffer>;

export function createFutureBuffer(limits: FutureBufferLimits) {
  const byPeer = new Map<string, FutureMessage[]>();
  return {
    /** True if `height` is one this buffer would keep a message for, seen from `current`. */
    inWindow(current: bigint, height: bigint): boolean {
      return height > current && height <= current + limits.window;
    },
    /** Keeps `m`; false when its peer's share is full (the message is dropped). */
    add(m: FutureMessage): boolean {
      let list = byPeer.get(m.from);
      if (!list) {
        list = [];
        byPeer.set(m.from, list);
      }
      if (list.length >= limits.perPeer) return false;
      list.push(m);
      return true;
    },
    /** The messages for `height`, in arrival order per peer; drops them and everything below it. */
    take(height: bigint): FutureMessage[] {
      const out: FutureMessage[] = [];
      for (const [peer, list] of byPeer) {
        const keep: FutureMessage[] = [];
        for (const m of list) {
          if (m.height === height) out.push(m);
          else if (m.height > height) keep.push(m);
        }
        if (keep.length) byPeer.set(peer, keep);
        else byPeer.delete(peer);
      }
      return out;
    },
    /** True if some validator already sent a message for `height` or later (the idle gate's cue). */
    hasFrom(height: bigint): boolean {
      for (const list of byPeer.values()) for (const m of list) if (m.height >= height) return true;
      return false;
    },
    dropPeer(peer: string): void {
      byPeer.delete(peer);
    },
    get size(): number {
      let n = 0;
      for (const l of byPeer.values()) n += l.length;
      return n;
    },
  };
}
