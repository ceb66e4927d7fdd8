/**
 * Token bucket: `rate` tokens per second, bursts up to `burst`. Used per peer (p2p messages, tx budgets) and
 * per IP (HTTP requests). `now` is injected so tests need no sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Tokens available now (refilled for the time passed). */
  available(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    return this.tokens;
  }

  /** Takes `n` tokens if available; false means "over the limit". */
  take(n = 1): boolean {
    if (this.available() < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens whether or not they are there (the balance may go negative: a debt repaid first). */
  charge(n: number): void {
    this.available();
    this.tokens -= n;
  }
}

/**
 * A misbehaviour score that leaks away at `leakPerSecond`: bursts of suspect events add up, a trickle never
 * does. `add` returns true once the score reaches `limit` (the caller bans). `now` in ms, injected.
 */
export class LeakyScore {
  private score = 0;
  private last: number;

  constructor(
    private readonly limit: number,
    private readonly leakPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** The score now, after leaking. */
  value(): number {
    const t = this.now();
    this.score = Math.max(0, this.score - ((t - this.last) / 1000) * this.leakPerSecond);
    this.last = t;
    return this.score;
  }

  /** Adds `points`; true when the score has reached the limit. */
  add(points: number): boolean {
    this.score = this.value() + points;
    return this.score >= this.limit;
  }
}
