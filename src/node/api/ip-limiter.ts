/**
 * Per-client-IP budgets of the HTTP API (issue 24 items 7 and 10): requests (every HTTP request and every
 * WebSocket upgrade costs one) and transactions (every tx submitted costs one, so a batch of N costs N).
 * Both are token buckets: `rate` tokens per second, bursts up to twice that.
 *
 * SECURITY: the map of buckets is bounded without ever being cleared wholesale: past `maxIps` the least
 * recently used IP's buckets are evicted (a `Map` keeps insertion order; every use re-inserts the IP at the
 * end). Clearing the whole map, as before, reset the budget of the very IP hammering the node whenever
 * enough other addresses had been seen. An evicted IP comes back with full buckets — the same it would have
 * after being idle for two seconds — so only the IPs that have been quiet longest lose their state.
 * `now` is injected so tests need no sleeping.
 */
export interface IpLimiterOptions {
  requestsPerSecond: number;
  txsPerSecond: number;
  /** Most IPs tracked at once (default 10,000). */
  maxIps?: number;
  now?: () => number;
}

interface Buckets {
  requests: number;
  txs: number;
  /** When the buckets were last refilled (ms). */
  at: number;
}

/** The default bound of the limiter map (README "Security notes"). */
export const DEFAULT_MAX_TRACKED_IPS = 10_000;

export class IpLimiter {
  private readonly buckets = new Map<string, Buckets>();
  private readonly maxIps: number;
  private readonly now: () => number;

  constructor(private readonly opts: IpLimiterOptions) {
    this.maxIps = opts.maxIps ?? DEFAULT_MAX_TRACKED_IPS;
    this.now = opts.now ?? (() => performance.now());
  }

  /** IPs currently tracked (≤ maxIps). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request token; false means "over the limit" (answer 429). */
  takeRequest(ip: string): boolean {
    const b = this.touch(ip);
    if (b.requests < 1) return false;
    b.requests -= 1;
    return true;
  }

  /** True when `ip` has at least one tx token left (checked before a tx route reads its body). */
  hasTxs(ip: string): boolean {
    return this.touch(ip).txs >= 1;
  }

  /** Takes up to `n` tx tokens and returns how many were granted (0…n). */
  takeTxs(ip: string, n: number): number {
    const b = this.touch(ip);
    const granted = Math.max(0, Math.min(n, Math.floor(b.txs)));
    b.txs -= granted;
    return granted;
  }

  /** The IP's buckets, refilled for the time since their last use and moved to the most recent end. */
  private touch(ip: string): Buckets {
    const t = this.now();
    let b = this.buckets.get(ip);
    if (b) {
      this.buckets.delete(ip);
      const dt = Math.max(0, t - b.at) / 1000;
      b.requests = Math.min(2 * this.opts.requestsPerSecond, b.requests + dt * this.opts.requestsPerSecond);
      b.txs = Math.min(2 * this.opts.txsPerSecond, b.txs + dt * this.opts.txsPerSecond);
      b.at = t;
    } else {
      b = { requests: 2 * this.opts.requestsPerSecond, txs: 2 * this.opts.txsPerSecond, at: t };
      while (this.buckets.size >= this.maxIps) {
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
      }
    }
    this.buckets.set(ip, b);
    return b;
  }
}
