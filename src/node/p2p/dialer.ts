import { randomInt } from "node:crypto";

/**
 * Which peer URLs to dial and when (issue 24 item 5). Configured (static) peers are redialled forever, after
 * any failure — refused, handshake failed, dropped, slots full — with exponential backoff from
 * `REDIAL_BASE_MS` to `REDIAL_MAX_MS` and ±25% jitter (crypto randomness, so nodes restarted together do not
 * redial in lockstep). Peers learned by peer exchange are dialled the same way but forgotten after
 * `LEARNED_MAX_FAILURES` failures in a row, so junk URLs from a peer cannot pile up.
 *
 * The dialer only keeps timers; the transport does the dialling (`connect`) and reports back.
 */
export const REDIAL_BASE_MS = 200;
export const REDIAL_MAX_MS = 5000;
export const LEARNED_MAX_FAILURES = 5;

interface Target {
  isStatic: boolean;
  backoff: number;
  failures: number;
  connecting: boolean;
  timer?: NodeJS.Timeout;
}

export interface Dialer {
  /** Adds a URL (no-op if known; a known learned URL becomes static); static ones are dialled at once. */
  add(url: string, isStatic: boolean): void;
  has(url: string): boolean;
  isStatic(url: string): boolean;
  /** Learned URLs known (for the peer exchange cap). */
  learnedCount(): number;
  /** Every known URL. */
  urls(): string[];
  /** Dials `url` after its backoff unless a dial is already scheduled or under way. */
  schedule(url: string, delayMs?: number): void;
  /** The transport started or ended a connection attempt to `url`. */
  setConnecting(url: string, connecting: boolean): void;
  /** The attempt failed (at any stage): backoff grows; a learned URL may be forgotten. */
  failed(url: string): void;
  /** A connection to `url` held long enough to count as working: backoff resets. */
  succeeded(url: string): void;
  stop(): void;
}

export function createDialer(connect: (url: string) => void): Dialer {
  const targets = new Map<string, Target>();
  let stopped = false;

  const jitter = (ms: number) => Math.round(ms * (0.75 + randomInt(0, 1_000_001) / 2_000_000));

  function schedule(url: string, delayMs?: number): void {
    const t = targets.get(url);
    if (!t || stopped || t.timer || t.connecting) return;
    const wait = delayMs ?? jitter(t.backoff);
    t.timer = setTimeout(() => {
      delete t.timer;
      if (!stopped && targets.get(url) === t) connect(url);
    }, wait);
  }

  return {
    add(url, isStatic) {
      const t = targets.get(url);
      if (t) {
        t.isStatic ||= isStatic;
        return;
      }
      targets.set(url, { isStatic, backoff: REDIAL_BASE_MS, failures: 0, connecting: false });
      schedule(url, 0);
    },
    has: (url) => targets.has(url),
    isStatic: (url) => targets.get(url)?.isStatic ?? false,
    learnedCount: () => [...targets.values()].filter((t) => !t.isStatic).length,
    urls: () => [...targets.keys()],
    schedule,
    setConnecting(url, connecting) {
      const t = targets.get(url);
      if (t) t.connecting = connecting;
    },
    failed(url) {
      const t = targets.get(url);
      if (!t) return;
      t.connecting = false;
      t.failures++;
      if (!t.isStatic && t.failures >= LEARNED_MAX_FAILURES) {
        if (t.timer) clearTimeout(t.timer);
        targets.delete(url);
        return;
      }
      schedule(url);
      t.backoff = Math.min(t.backoff * 2, REDIAL_MAX_MS);
    },
    succeeded(url) {
      const t = targets.get(url);
      if (!t) return;
      t.backoff = REDIAL_BASE_MS;
      t.failures = 0;
    },
    stop() {
      stopped = true;
      for (const t of targets.values()) if (t.timer) clearTimeout(t.timer);
    },
  };
}
