/**
 * Transaction pool (DESIGN.md §5): bounded by count, bytes and txs per sender; block building takes the
 * highest fee first while keeping each sender's nonces in order; when full, the lowest-fee tail tx is
 * evicted for a better one; a tx for an already pending (sender, nonce) replaces it only with a fee at
 * least 10% higher. Signatures are checked once, by the node, before `add`.
 *
 * Generic over the tx type so it is tested on its own; the node supplies sender/nonce/fee/size.
 */
import { FastposError } from "../core/errors.js";
import { SenderHeap } from "./mempool-heap.js";

/** See the file header. */
export interface PoolTx<T> {
  hash: string;
  sender: string;
  nonce: bigint;
  fee: bigint;
  size: number;
  tx: T;
}

export type MempoolErrorType =
  | { code: "MEMPOOL_DUPLICATE"; hash: string }
  | { code: "MEMPOOL_FULL"; minFee: string }
  | { code: "MEMPOOL_SENDER_LIMIT"; sender: string; limit: number }
  | { code: "MEMPOOL_NONCE_TOO_LOW"; expected: string; got: string }
  | { code: "MEMPOOL_NONCE_GAP"; expected: string; got: string }
  | { code: "MEMPOOL_REPLACEMENT_UNDERPRICED"; existingFee: string; minFee: string }
  | { code: "MEMPOOL_TX_TOO_LARGE"; size: number; max: number };
export class MempoolError extends FastposError<MempoolErrorType> {}

export interface MempoolLimits {
  maxTxs: number;
  maxBytes: number;
  maxPerSender: number;
}

interface Entry<T> extends PoolTx<T> {
  seq: number;
}

/** What `add` did: `evicted` lists hashes pushed out to make room (for events and metrics). */
export interface AddResult {
  replaced?: string;
  evicted: string[];
}

export class Mempool<T> {
  private readonly bySender = new Map<string, Entry<T>[]>(); // sorted by nonce
  private readonly byHash = new Map<string, Entry<T>>();
  private bytes = 0;
  private seq = 0;
  /** Hashes of txs that `recheck` removed (included in a block or no longer valid), oldest first. */
  private readonly gone = new Set<string>();
  /** Counters for metrics. */
  readonly stats = { added: 0, evicted: 0, replaced: 0, rejected: 0 };

  constructor(private readonly limits: MempoolLimits) {}

  get size(): number {
    return this.byHash.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /**
   * Pending, or removed by a recent `recheck` because its nonce was used (committed): nothing to do
   * when it arrives again. PERF: lets gossip skip late duplicates without decoding or verifying them.
   * Remembers up to 2 × maxTxs removed hashes.
   */
  known(hash: string): boolean {
    return this.byHash.has(hash) || this.gone.has(hash);
  }

  private forget(hash: string): void {
    this.gone.add(hash);
    if (this.gone.size > 2 * this.limits.maxTxs) {
      const oldest = this.gone.values().next().value;
      if (oldest !== undefined) this.gone.delete(oldest);
    }
  }

  get(hash: string): T | undefined {
    return this.byHash.get(hash)?.tx;
  }

  /** Removes a tx and the same sender's later nonces (which could never execute without it). */
  removeWithSuccessors(hash: string): string[] {
    const e = this.byHash.get(hash);
    if (!e) return [];
    const list = this.bySender.get(e.sender) ?? [];
    const doomed = list.filter((x) => x.nonce >= e.nonce);
    for (const x of doomed) this.removeEntry(x);
    return doomed.map((x) => x.hash);
  }

  /** The sender key a pending tx was added with. */
  senderOf(hash: string): string | undefined {
    return this.byHash.get(hash)?.sender;
  }

  /** Pending txs of one sender (their nonces follow the account's next nonce without gaps). */
  pendingCount(sender: string): number {
    return this.bySender.get(sender)?.length ?? 0;
  }

  /**
   * Admits a tx whose signature and static validity the caller has checked. `accountNonce` is the sender's
   * next nonce in the latest committed state.
   * @throws MempoolError with the reason it was refused.
   */
  add(p: PoolTx<T>, accountNonce: bigint): AddResult {
    try {
      return this.addInner(p, accountNonce);
    } catch (err) {
      this.stats.rejected++;
      throw err;
    }
  }

  private addInner(p: PoolTx<T>, accountNonce: bigint): AddResult {
    if (this.byHash.has(p.hash))
      throw new MempoolError({ code: "MEMPOOL_DUPLICATE", hash: p.hash }, "tx already in the mempool");
    if (p.size > this.limits.maxBytes) {
      throw new MempoolError(
        { code: "MEMPOOL_TX_TOO_LARGE", size: p.size, max: this.limits.maxBytes },
        "tx larger than the mempool",
      );
    }
    if (p.nonce < accountNonce) {
      throw new MempoolError(
        { code: "MEMPOOL_NONCE_TOO_LOW", expected: String(accountNonce), got: String(p.nonce) },
        `nonce ${p.nonce} already used; the account's next nonce is ${accountNonce}`,
      );
    }
    const list = this.bySender.get(p.sender) ?? [];
    const existing = list.find((e) => e.nonce === p.nonce);
    if (existing) return this.replace(existing, p);
    // Without a gap: the next nonce is the account nonce plus the txs already queued.
    const expected = accountNonce + BigInt(list.length);
    if (p.nonce !== expected) {
      throw new MempoolError(
        { code: "MEMPOOL_NONCE_GAP", expected: String(expected), got: String(p.nonce) },
        `nonce ${p.nonce} leaves a gap; the next acceptable nonce for this sender is ${expected}`,
      );
    }
    if (list.length >= this.limits.maxPerSender) {
      throw new MempoolError(
        { code: "MEMPOOL_SENDER_LIMIT", sender: p.sender, limit: this.limits.maxPerSender },
        `sender already has ${list.length} pending txs (limit ${this.limits.maxPerSender})`,
      );
    }
    const evicted = this.makeRoom(p);
    const e: Entry<T> = { ...p, seq: this.seq++ };
    list.push(e);
    this.bySender.set(p.sender, list);
    this.byHash.set(p.hash, e);
    this.bytes += p.size;
    this.stats.added++;
    return { evicted };
  }

  private replace(old: Entry<T>, p: PoolTx<T>): AddResult {
    const minFee = (old.fee * 11n + 9n) / 10n; // ≥ +10%, rounded up
    if (p.fee < minFee || p.fee <= old.fee) {
      throw new MempoolError(
        {
          code: "MEMPOOL_REPLACEMENT_UNDERPRICED",
          existingFee: String(old.fee),
          minFee: String(minFee > old.fee ? minFee : old.fee + 1n),
        },
        `a tx with this nonce is pending with fee ${old.fee}; a replacement needs a fee of at least ${minFee > old.fee ? minFee : old.fee + 1n}`,
      );
    }
    const list = this.bySender.get(old.sender) as Entry<T>[];
    const e: Entry<T> = { ...p, seq: this.seq++ };
    list[list.indexOf(old)] = e;
    this.byHash.delete(old.hash);
    this.byHash.set(p.hash, e);
    this.bytes += p.size - old.size;
    this.stats.replaced++;
    return { replaced: old.hash, evicted: [] };
  }

  /**
   * Evicts lowest-fee sender tails until `p` fits, or throws MEMPOOL_FULL (evicting nothing) when `p` does
   * not pay more than what it would push out. Tails only, so no sender is left with a nonce gap.
   */
  private makeRoom(p: PoolTx<T>): string[] {
    // PERF: the common case (room left) must not scan every sender.
    if (this.byHash.size + 1 <= this.limits.maxTxs && this.bytes + p.size <= this.limits.maxBytes) return [];
    const plan: Entry<T>[] = [];
    const tails = new Map<string, number>();
    for (const [sender, list] of this.bySender) tails.set(sender, list.length - 1);
    let count = this.byHash.size + 1;
    let bytes = this.bytes + p.size;
    while (count > this.limits.maxTxs || bytes > this.limits.maxBytes) {
      let worst: Entry<T> | undefined;
      for (const [sender, i] of tails) {
        const tail = i >= 0 ? this.bySender.get(sender)?.[i] : undefined;
        if (tail && (!worst || tail.fee < worst.fee || (tail.fee === worst.fee && tail.seq > worst.seq)))
          worst = tail;
      }
      if (!worst || worst.fee >= p.fee || worst.sender === p.sender) {
        const floor = worst?.fee ?? 0n;
        throw new MempoolError(
          { code: "MEMPOOL_FULL", minFee: String(floor + 1n) },
          `mempool is full; a fee above ${floor} is needed to get in`,
        );
      }
      plan.push(worst);
      tails.set(worst.sender, (tails.get(worst.sender) ?? 0) - 1);
      count--;
      bytes -= worst.size;
    }
    for (const e of plan) this.removeEntry(e);
    this.stats.evicted += plan.length;
    return plan.map((e) => e.hash);
  }

  private removeEntry(e: Entry<T>): void {
    const list = this.bySender.get(e.sender);
    if (list) {
      const i = list.indexOf(e);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.bySender.delete(e.sender);
    }
    this.byHash.delete(e.hash);
    this.bytes -= e.size;
  }

  /** Every pending tx, each sender's in nonce order (to save the pool on a clean stop). */
  *txs(): IterableIterator<T> {
    for (const list of this.bySender.values()) for (const e of list) yield e.tx;
  }

  /**
   * Txs for a block: highest fee first across senders, each sender's nonces in order, within the limits.
   * PERF: a binary heap over sender heads, O(k log s) for k txs from s senders.
   */
  reap(maxTxs: number, maxBytes: number): T[] {
    const heap = new SenderHeap<Entry<T>>();
    for (const list of this.bySender.values()) if (list[0]) heap.push({ list, i: 0 });
    const out: T[] = [];
    let bytes = 0;
    while (out.length < maxTxs) {
      const top = heap.pop();
      if (!top) break;
      const e = top.list[top.i] as Entry<T>;
      if (bytes + e.size > maxBytes) continue; // this sender's later nonces can't go without this one
      out.push(e.tx);
      bytes += e.size;
      if (top.i + 1 < top.list.length) heap.push({ list: top.list, i: top.i + 1 });
    }
    return out;
  }

  /**
   * After a block: drops txs whose nonce the chain has passed, then lets `stillValid` re-check the rest in
   * nonce order per sender (balance may have changed); a sender's txs after an invalid one are dropped too.
   * Returns the removed hashes.
   *
   * `senders` limits the pass to those senders (after a block: the ones whose nonces it used, the only
   * accounts whose pending txs it can affect); all senders when omitted.
   */
  recheck(
    accountNonce: (sender: string) => bigint,
    stillValid: (tx: T, hash: string) => boolean = () => true,
    senders?: Iterable<string>,
  ): string[] {
    const removed: string[] = [];
    const lists = senders
      ? [...new Set(senders)].map((sender) => this.bySender.get(sender) ?? [])
      : [...this.bySender.values()];
    for (const list of lists) {
      const first = list[0];
      if (!first) continue;
      let expected = accountNonce(first.sender);
      for (const e of [...list]) {
        if (e.nonce === expected && stillValid(e.tx, e.hash)) {
          expected++;
          continue;
        }
        this.removeEntry(e);
        if (e.nonce < expected) this.forget(e.hash); // its nonce is used: it can never come back

        removed.push(e.hash);
      }
    }
    return removed;
  }
}
