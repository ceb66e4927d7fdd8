import { WebSocket } from "ws";
import { createDialer } from "./dialer.js";

/**
 * The outbound side of the transport (issue 24 item 5): which peer URLs to dial, when (dialer.ts), and which
 * node ids the configured URLs proved. Configured peers are redialled after every way a link can end — a
 * failed dial, a refused or failed handshake, a drop after any time — and a one-second sweep dials any
 * configured peer not connected, whatever the reason. Learned (peer exchange) URLs are dialled only while
 * there is a free slot.
 */
export interface OutboundConn {
  dialUrl?: string;
  info?: { id: string; listenUrl: string };
  since: number;
}

export interface OutboundContext {
  /** Every connection, established or not. */
  conns: ReadonlySet<OutboundConn>;
  /** Established peers by id. */
  peers: { has(id: string): boolean; readonly size: number };
  maxPeers: number;
  maxFrameBytes: number;
  boundUrl(): string;
  isStopped(): boolean;
  /** A dialled socket opened: the transport takes it over (handshake, frames). */
  opened(ws: WebSocket, url: string): void;
}

/** An outbound connection that lasted this long was a success: its redial backoff starts over. */
export const STABLE_MS = 5000;
const PEER_URL = /^wss?:\/\/[^\s/]+$/;

export function createOutbound(ctx: OutboundContext) {
  const dialer = createDialer(dial);
  /** Node id each configured URL proved when we dialled it: those ids are reserved, in either direction. */
  const staticIds = new Map<string, string>();

  /** A connection to `url` exists or is being made (for learned URLs a claimed listen URL counts). */
  function connectedTo(url: string): boolean {
    for (const c of ctx.conns) if (c.dialUrl === url || c.info?.listenUrl === url) return true;
    return false;
  }

  /**
   * A configured URL is connected when we dialled it or a peer proved its id. SECURITY: a listen URL that
   * a peer merely claims does not count, or a sybil could stop us dialling a configured peer.
   */
  function staticConnected(url: string): boolean {
    const id = staticIds.get(url);
    if (id && ctx.peers.has(id)) return true;
    for (const c of ctx.conns) if (c.dialUrl === url) return true;
    return false;
  }

  function dial(url: string): void {
    if (ctx.isStopped()) return;
    const isStatic = dialer.isStatic(url);
    if (isStatic ? staticConnected(url) : connectedTo(url)) return; // the sweep re-checks it later
    if (!isStatic && ctx.peers.size >= ctx.maxPeers) return; // no room for a learned peer now
    dialer.setConnecting(url, true);
    const ws = new WebSocket(`${url.replace(/\/$/, "")}/p2p`, {
      maxPayload: ctx.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: 3000,
    });
    let opened = false;
    ws.once("open", () => {
      opened = true;
      dialer.setConnecting(url, false);
      if (ctx.isStopped()) return ws.terminate();
      ctx.opened(ws, url);
    });
    ws.once("error", () => {
      if (!opened) dialer.failed(url);
    });
  }

  return {
    /** Adds a URL to dial: configured (`isStatic`, redialled forever, reserved) or learned. */
    add(url: string, isStatic: boolean): void {
      if (url !== ctx.boundUrl()) dialer.add(url, isStatic);
    },
    /** True when `c` is our dial of a configured URL (reserved). */
    isStaticDial: (c: OutboundConn) => c.dialUrl !== undefined && dialer.isStatic(c.dialUrl),
    isStaticId: (id: string) => [...staticIds.values()].includes(id),
    /** The handshake of our dial `c` proved node `id`. */
    proved(c: OutboundConn, id: string): void {
      if (c.dialUrl && dialer.isStatic(c.dialUrl)) staticIds.set(c.dialUrl, id);
    },
    /** Peer exchange: URLs a peer says it is connected to (bounded: `maxPeers × 2` learned at most). */
    learn(urls: string[]): void {
      for (const url of urls) {
        if (url === ctx.boundUrl() || dialer.has(url) || !PEER_URL.test(url) || connectedTo(url)) continue;
        if (dialer.learnedCount() >= ctx.maxPeers * 2) return;
        dialer.add(url, false);
      }
    },
    /** A connection ended: redial what it was to. Any failure grows the backoff; a long-lived link resets. */
    closed(c: OutboundConn): void {
      if (c.dialUrl) {
        if (c.info && Date.now() - c.since >= STABLE_MS) {
          dialer.succeeded(c.dialUrl);
          dialer.schedule(c.dialUrl);
        } else dialer.failed(c.dialUrl);
      } else if (c.info) {
        // A configured peer that had dialled us: dial it back.
        for (const [url, id] of staticIds) if (id === c.info.id) dialer.schedule(url);
      }
    },
    /** The sweep (every second): any configured peer not connected gets a dial. */
    sweep(): void {
      for (const url of dialer.urls()) {
        const wanted = dialer.isStatic(url)
          ? !staticConnected(url)
          : !connectedTo(url) && ctx.peers.size < ctx.maxPeers;
        if (wanted) dialer.schedule(url);
      }
    },
    stop: () => dialer.stop(),
  };
}
