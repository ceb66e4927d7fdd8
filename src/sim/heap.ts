/**
 * Binary min-heap of scheduled simulator events, ordered by (time, sequence number): two events at the
 * same virtual time run in the order they were scheduled, so runs are deterministic.
 * PERF: O(log n) push/pop on parallel arrays (one numeric key per entry: time · 2^20 + a sequence number
 * is not safe past 2^53, so time and sequence are compared separately but kept in typed-shape arrays);
 * the test-only simulator scanned a list (O(n)), too slow at 100 validators (tens of thousands of
 * messages in flight), and a heap of mixed-shape objects made every comparison megamorphic.
 */
export class EventHeap<T> {
  private at: number[] = [];
  private seq: number[] = [];
  private items: T[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, item: T): void {
    const seq = this.counter++;
    let i = this.items.length;
    this.at.push(at);
    this.seq.push(seq);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pa = this.at[p] as number;
      if (pa < at || (pa === at && (this.seq[p] as number) < seq)) break;
      this.at[i] = pa;
      this.seq[i] = this.seq[p] as number;
      this.items[i] = this.items[p] as T;
      i = p;
    }
    this.at[i] = at;
    this.seq[i] = seq;
    this.items[i] = item;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekAt(): number {
    return this.items.length ? (this.at[0] as number) : Number.POSITIVE_INFINITY;
  }

  pop(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const top = this.items[0] as T;
    const lastAt = this.at.pop() as number;
    const lastSeq = this.seq.pop() as number;
    const last = this.items.pop() as T;
    const size = n - 1;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      let m = l;
      if (r < size) {
        const ra = this.at[r] as number;
        const la = this.at[l] as number;
        if (ra < la || (ra === la && (this.seq[r] as number) < (this.seq[l] as number))) m = r;
      }
      const ma = this.at[m] as number;
      if (lastAt < ma || (lastAt === ma && lastSeq < (this.seq[m] as number))) break;
      this.at[i] = ma;
      this.seq[i] = this.seq[m] as number;
      this.items[i] = this.items[m] as T;
      i = m;
    }
    this.at[i] = lastAt;
    this.seq[i] = lastSeq;
    this.items[i] = last;
    return top;
  }
}
