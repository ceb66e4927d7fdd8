/**
 * The mempool's block-building order (DESIGN.md §5): a max-heap of per-sender cursors, best next tx first
 * by (fee desc, arrival asc), so reaping k txs from s senders costs O(k log s) and keeps each sender's
 * nonces in order.
 */

/** What the heap compares: a tx's fee and its arrival order. */
export interface HeapEntry {
  fee: bigint;
  seq: number;
}

export interface Cursor<E extends HeapEntry> {
  list: E[];
  i: number;
}

/** Max-heap of sender cursors by (fee desc, arrival asc). */
export class SenderHeap<E extends HeapEntry> {
  private readonly a: Cursor<E>[] = [];

  private better(x: Cursor<E>, y: Cursor<E>): boolean {
    const ex = x.list[x.i] as E;
    const ey = y.list[y.i] as E;
    return ex.fee > ey.fee || (ex.fee === ey.fee && ex.seq < ey.seq);
  }

  push(c: Cursor<E>): void {
    const a = this.a;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(a[i] as Cursor<E>, a[parent] as Cursor<E>)) break;
      [a[i], a[parent]] = [a[parent] as Cursor<E>, a[i] as Cursor<E>];
      i = parent;
    }
  }

  pop(): Cursor<E> | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.better(a[l] as Cursor<E>, a[m] as Cursor<E>)) m = l;
        if (r < a.length && this.better(a[r] as Cursor<E>, a[m] as Cursor<E>)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Cursor<E>, a[i] as Cursor<E>];
        i = m;
      }
    }
    return top;
  }
}
