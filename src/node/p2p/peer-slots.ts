import { randomInt } from "node:crypto";

/**
 * Peer slots (issue 24 item 5). `maxPeers` bounds the peers a node keeps, but a stranger must never be able
 * to keep out the peers the network depends on. A *reserved* peer is one this node dialled from its
 * configured peer list, one whose node id such a dial proved, or one that proved a key of the current
 * validator set in the handshake. Reserved peers always get a slot: when the node is full, a non-reserved
 * peer is evicted (a random inbound one first, then a random outbound one). Non-reserved peers take what is
 * left, and at most `maxInboundPerIp` of them may come in from one IP.
 */
/**
 * Defaults of the slot limits (config.ts uses them; README "Security notes" lists them). 16 per IP: a
 * stranger on one host gets at most a third of the default 50 slots, and a 16-node devnet on 127.0.0.1
 * fits even if its nodes were not configured as each other's peers (devnets configure them: reserved).
 */
export const P2P_DEFAULTS = { maxInboundPerIp: 16 } as const;

export interface SlotPeer {
  inbound: boolean;
  reserved: boolean;
  ip: string;
}

export type SlotVerdict<P> =
  | { accept: true; evict?: P }
  | { accept: false; reason: "max peers reached" | "too many peers from this IP" };

/** Whether a newly authenticated peer `c` gets a slot among `peers`, and whom it displaces. */
export function decideSlot<P extends SlotPeer>(
  c: SlotPeer,
  peers: Iterable<P>,
  limits: { maxPeers: number; maxInboundPerIp: number },
): SlotVerdict<P> {
  const list = [...peers];
  if (!c.reserved) {
    if (c.inbound) {
      let fromIp = 0;
      for (const p of list) if (p.inbound && !p.reserved && p.ip === c.ip) fromIp++;
      if (fromIp >= limits.maxInboundPerIp) return { accept: false, reason: "too many peers from this IP" };
    }
    return list.length < limits.maxPeers ? { accept: true } : { accept: false, reason: "max peers reached" };
  }
  if (list.length < limits.maxPeers) return { accept: true };
  // Reserved and full: displace a stranger. NOTE: none left means every slot is reserved; the set of
  // reserved peers is bounded by configuration and the validator set, so the node goes over maxPeers.
  const strangers = list.filter((p) => !p.reserved);
  const inbound = strangers.filter((p) => p.inbound);
  const pool = inbound.length ? inbound : strangers;
  return pool.length ? { accept: true, evict: pool[randomInt(pool.length)] as P } : { accept: true };
}
