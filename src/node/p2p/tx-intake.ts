/**
 * The queue between received tx gossip and admission (issue 24 item 4): tx gossip must never starve
 * consensus. Received txs are queued per peer and admitted at most `TX_TURN_BUDGET` per event-loop turn,
 * round-robin over peers; what is left waits for the next turn (setImmediate), so votes and proposals read
 * from the sockets in between are handled at once. Under light load nothing waits: the first txs of a turn
 * are admitted as they arrive.
 *
 * Bounded: at most `MAX_QUEUED_TXS` txs wait in all (more are dropped: the sender's budget already limits
 * each peer). A tx that a proposal waits for can be `expedite`d to the front.
 */
export const TX_TURN_BUDGET = 128;
export const MAX_QUEUED_TXS = 20_000;
/** Txs taken from one peer's queue before moving to the next peer. */
const SLICE = 16;

export interface IntakeItem {
  peer: string;
  bytes: Uint8Array;
  /** The tx hash (SHA-256 of `bytes`) and its hex. */
  raw: Uint8Array;
  hash: string;
}

export interface TxIntake {
  /** Queues a tx; false when the queue is full (dropped). */
  push(item: IntakeItem): boolean;
  /** Admits what this turn's budget allows now; schedules the rest. */
  drain(): void;
  has(hash: string): boolean;
  /** Forgets a peer's queued txs (it disconnected or was banned). */
  dropPeer(peer: string): void;
  /** Moves these queued txs (hex hashes) ahead of everything else. */
  expedite(hashes: readonly string[]): void;
  readonly size: number;
}

interface PeerQueue {
  items: IntakeItem[];
  head: number;
}

export function createTxIntake(process: (item: IntakeItem) => void): TxIntake {
  const queues = new Map<string, PeerQueue>();
  const queued = new Map<string, IntakeItem>();
  let urgent: IntakeItem[] = [];
  let used = 0;
  let scheduled = false;
  let draining = false;

  function nextTurn(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      used = 0;
      drain();
    });
  }

  function take(item: IntakeItem): void {
    if (queued.get(item.hash) !== item) return; // dropped or already taken via `urgent`
    queued.delete(item.hash);
    used++;
    process(item);
  }

  function drain(): void {
    if (draining) return; // `process` may re-enter through a ban
    draining = true;
    try {
      while (used < TX_TURN_BUDGET && urgent.length) take(urgent.shift() as IntakeItem);
      while (used < TX_TURN_BUDGET && queued.size) {
        for (const [peer, q] of queues) {
          const stop = Math.min(q.items.length, q.head + SLICE);
          while (q.head < stop && used < TX_TURN_BUDGET) take(q.items[q.head++] as IntakeItem);
          if (q.head >= q.items.length) queues.delete(peer);
          if (used >= TX_TURN_BUDGET) break;
        }
      }
    } finally {
      draining = false;
    }
    if (used > 0) nextTurn(); // resets the budget next turn, and carries on with what is left
  }

  return {
    push(item) {
      if (queued.size >= MAX_QUEUED_TXS || queued.has(item.hash)) return false;
      queued.set(item.hash, item);
      let q = queues.get(item.peer);
      if (!q) {
        q = { items: [], head: 0 };
        queues.set(item.peer, q);
      }
      q.items.push(item);
      return true;
    },
    drain,
    has: (hash) => queued.has(hash),
    dropPeer(peer) {
      const q = queues.get(peer);
      if (!q) return;
      queues.delete(peer);
      for (let i = q.head; i < q.items.length; i++) {
        const item = q.items[i] as IntakeItem;
        if (queued.get(item.hash) === item) queued.delete(item.hash);
      }
      urgent = urgent.filter((x) => x.peer !== peer);
    },
    expedite(hashes) {
      for (const h of hashes) {
        const item = queued.get(h);
        if (item) urgent.push(item);
      }
      if (urgent.length) nextTurn();
    },
    get size() {
      return queued.size;
    },
  };
}
