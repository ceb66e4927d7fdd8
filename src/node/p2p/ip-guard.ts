import { LeakyScore } from "./rate-limit.js";

/**
 * Per-IP limits on inbound p2p connections (issue 24 item 5). A node key costs nothing, so a ban by node id
 * alone is evaded by generating a new key; an IP is costlier. Each IP gets:
 *
 * - a cap on handshakes in progress at once (`maxPerIp`), checked before any work is done;
 * - a strike score: handshake failures and bans of its peers add to it, and it leaks away over `banMs`.
 *   At `IP_BAN_STRIKES` the IP is banned for `banMs`. SECURITY: an IP ban refuses only *non-reserved*
 *   peers (the transport still lets configured and validator peers through), because devnets run every node
 *   on 127.0.0.1: a sybil on the same host must not be able to cut the honest nodes off each other.
 *
 * Memory is bounded: at most `MAX_TRACKED_IPS` IPs are remembered; past it the least recently seen one is
 * forgotten (never the whole table at once).
 */
export const IP_BAN_STRIKES = 20;
/** Strikes for a peer of this IP banned for misbehaviour: four such bans in a ban period ban the IP. */
export const STRIKES_PER_BAN = 6;
/** Strikes for a failed handshake (bad signature, garbage before the handshake, timeout). */
export const STRIKES_PER_HANDSHAKE_FAILURE = 1;
export const MAX_TRACKED_IPS = 4096;

interface IpState {
  pending: number;
  strikes: LeakyScore;
  bannedUntil: number;
}

export interface IpGuard {
  /** Counts a new inbound handshake from `ip`; false (count unchanged) when the IP is at its cap. */
  openHandshake(ip: string): boolean;
  /** The handshake counted by `openHandshake` ended (established, failed or closed). */
  closeHandshake(ip: string): void;
  /** Adds strikes to `ip`; true when that bans it. */
  strike(ip: string, points: number): boolean;
  /** True while `ip` is banned (for non-reserved peers). */
  isBanned(ip: string): boolean;
}

export function createIpGuard(o: { maxPerIp: number; banMs: number; now?: () => number }): IpGuard {
  const now = o.now ?? (() => Date.now());
  const ips = new Map<string, IpState>();
  // Leaks IP_BAN_STRIKES over one ban period, so the threshold means "this many strikes in about banMs".
  const leak = (IP_BAN_STRIKES * 1000) / Math.max(o.banMs, 1000);

  function stateOf(ip: string): IpState {
    let s = ips.get(ip);
    if (s) {
      ips.delete(ip); // re-inserted below: Map order is least recently seen first
    } else {
      s = { pending: 0, strikes: new LeakyScore(IP_BAN_STRIKES, leak, now), bannedUntil: 0 };
      if (ips.size >= MAX_TRACKED_IPS) forgetOne();
    }
    ips.set(ip, s);
    return s;
  }

  /** Forgets the least recently seen IP with no handshake in progress (those are few: capped globally). */
  function forgetOne(): void {
    for (const [ip, s] of ips) {
      if (s.pending === 0) {
        ips.delete(ip);
        return;
      }
    }
  }

  return {
    openHandshake(ip) {
      const s = stateOf(ip);
      if (s.pending >= o.maxPerIp) return false;
      s.pending++;
      return true;
    },
    closeHandshake(ip) {
      const s = ips.get(ip);
      if (s && s.pending > 0) s.pending--;
    },
    strike(ip, points) {
      const s = stateOf(ip);
      if (!s.strikes.add(points)) return false;
      s.bannedUntil = now() + o.banMs;
      return true;
    },
    isBanned(ip) {
      const s = ips.get(ip);
      return s !== undefined && s.bannedUntil > now();
    },
  };
}

/** The IP of a socket's remote address, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) written as IPv4. */
export function normalizeIp(address: string | undefined): string {
  if (!address) return "unknown";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}
