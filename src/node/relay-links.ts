/**
 * Relay only where it is needed (issue 22, DESIGN.md §5 "Gossip"): a node relays a first-seen proposal or
 * vote to a peer unless that peer has told it that it hears the message's signer directly.
 *
 * Every node sends its peers a `links` frame each tick (and at once when a validator peer disconnects): the
 * validators it has a direct, working link to, and the peers its own side of the link to is not clean. A link to a
 * validator's node counts as working only when all of these hold:
 *   - the peer proved that validator key in the handshake (a claim alone never counts);
 *   - an app frame arrived from it within `silenceMs` (every node sends a status frame each tick), so a
 *     link that stays open but carries nothing (a partition by dropping frames) stops counting;
 *   - this node has no fault on the link that drops or loses frames (devnet fault injection), and
 *   - the validator's own latest `links` frame does not name this node as impaired.
 * A validator re-sends its own messages of the height to every peer each tick, so a frame lost on a working
 * link costs a tick, not liveness. When a peer stops listing a signer, that signer's messages of the height
 * held here are sent to it at the next tick: whatever was not relayed to it in the meantime reaches it.
 *
 * SAFETY: relaying decides who gets a message, never whether it is valid; it cannot affect safety. A peer
 * that lies in its `links` frame only keeps messages from itself. In a full mesh no relay is sent at all:
 * each vote costs N - 1 frames instead of (N - 1)².
 */
import { bytesToString, fromHex, toHex } from "../core/codec/index.js";

export interface LinksMessage {
  /** Addresses of the validators this node hears directly over a working link. */
  linked: Uint8Array[];
  /** Node ids of the peers this node's side of the link to drops or loses frames (fault injection). */
  impaired: Uint8Array[];
}

interface LinkPeer {
  /** Address (0x-hex) of the validator key the peer proved, or null. */
  validator: string | null;
  heardAt: number;
  /** From the peer's latest `links` frame. */
  theirLinked: Set<string>;
  /** The peer's latest `links` frame did not name this node as impaired (false before the first). */
  theirClean: boolean;
  /** Signers (hex) whose held messages this peer is to be sent at the next tick. */
  pending: Set<string>;
}

export interface RelayLinksDeps {
  /** This node's id (bare hex, as the transport names peers; `impaired` lists carry its bytes). */
  nodeId: string;
  now(): number;
  /** How long a link may carry nothing before it stops counting (ms). */
  silenceMs: number;
  /** True when this node's fault injection drops or loses frames to or from `peerId`. */
  impaired(peerId: string): boolean;
  /** Sends this node's advert to one peer, or to every peer (null). */
  sendLinks(peerId: string | null, m: LinksMessage): void;
}

/** The most entries in either list of a `links` frame (the codec's bound). */
export const MAX_LINKS = 1024;

export function createRelayLinks(deps: RelayLinksDeps) {
  const peers = new Map<string, LinkPeer>();
  /** The advert last broadcast, in canonical form. */
  let sent = "";

  function working(id: string, p: LinkPeer, now: number): boolean {
    return p.validator !== null && p.theirClean && now - p.heardAt <= deps.silenceMs && !deps.impaired(id);
  }

  function current(): { form: string; m: LinksMessage } {
    const now = deps.now();
    const linked: string[] = [];
    const impaired: string[] = [];
    for (const [id, p] of peers) {
      if (working(id, p, now)) linked.push(p.validator as string);
      if (deps.impaired(id)) impaired.push(id);
    }
    linked.sort();
    impaired.sort();
    return {
      form: `${linked.join(",")}/${impaired.join(",")}`,
      m: {
        linked: linked.slice(0, MAX_LINKS).map((h) => fromHex(h)),
        impaired: impaired.slice(0, MAX_LINKS).map((h) => fromHex(h)),
      },
    };
  }

  /** Broadcasts the advert if it changed (or always, with `force`: a lost frame is made good each tick). */
  function advertise(force = false): void {
    const { form, m } = current();
    if (!force && form === sent) return;
    sent = form;
    deps.sendLinks(null, m);
  }

  return {
    connected(id: string, validator: string | null): void {
      peers.set(id, {
        validator,
        heardAt: deps.now(),
        theirLinked: new Set(),
        theirClean: false,
        pending: new Set(),
      });
      deps.sendLinks(id, current().m);
    },

    disconnected(id: string): void {
      const p = peers.get(id);
      peers.delete(id);
      if (p?.validator) advertise();
    },

    /** Any app frame from `id`: its link carries traffic. */
    heard(id: string): void {
      const p = peers.get(id);
      if (p) p.heardAt = deps.now();
    },

    /** A peer's `links` frame. Signers it no longer lists get their held messages sent at the next tick. */
    onLinks(id: string, m: LinksMessage): void {
      const p = peers.get(id);
      if (!p) return;
      const next = new Set(m.linked.map(toHex));
      for (const s of p.theirLinked) if (!next.has(s)) p.pending.add(s);
      for (const s of next) p.pending.delete(s);
      p.theirLinked = next;
      // SECURITY: what this changes in our own advert goes out at the next tick, not now: a peer flipping
      // its frame cannot make this node broadcast once per frame it sends.
      p.theirClean = !m.impaired.some((n) => bytesToString(n, "hex") === deps.nodeId);
    },

    /** True when `peerId` needs no relay of a message signed by `signer` (hex): it hears it first-hand. */
    skip(peerId: string, signer: string): boolean {
      const p = peers.get(peerId);
      return !!p && (p.validator === signer || p.theirLinked.has(signer));
    },

    /**
     * Each tick: re-checks which links work (silence, faults) and re-sends the advert; returns the peers
     * owed held messages, with the signers, and forgets them.
     */
    tick(): Map<string, string[]> {
      advertise(true);
      const owed = new Map<string, string[]>();
      for (const [id, p] of peers) {
        if (p.pending.size === 0) continue;
        owed.set(id, [...p.pending]);
        p.pending.clear();
      }
      return owed;
    },

    /** The validators (hex addresses) this node would advertise now. */
    linked(): string[] {
      const now = deps.now();
      return [...peers].filter(([id, p]) => working(id, p, now)).map(([, p]) => p.validator as string);
    },
  };
}

export type RelayLinks = ReturnType<typeof createRelayLinks>;
