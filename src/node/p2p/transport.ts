import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { bytesEqual, decode, encode } from "../../core/codec/index.js";
import { isValidPublicKey } from "../../core/crypto/index.js";
import {
  AuthCodec,
  type AuthInput,
  type Hello,
  HelloCodec,
  nodeIdOf,
  P2P_VERSION,
  PeersCodec,
  signAuth,
  verifyAuth,
} from "./handshake.js";
import { TokenBucket } from "./rate-limit.js";

/**
 * WebSocket p2p transport (DESIGN.md §5): authenticated handshake, binary frames `type ‖ payload` with a
 * max size, per-peer rate limits, bans for misbehaving peers, static peers dialled with exponential
 * backoff, and peer exchange. It knows nothing about consensus: the node registers `onMessage` and
 * decodes app frames (types ≥ 16) itself, calling `misbehave` on garbage.
 */
export const FRAME = { hello: 1, auth: 2, peers: 3 } as const;
/** First frame type available to the application. */
export const FIRST_APP_FRAME = 16;

export interface PeerInfo {
  id: string;
  moniker: string;
  listenUrl: string;
  inbound: boolean;
  remote: string;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransportOptions {
  chainId: string;
  genesisHash: Uint8Array;
  nodeKey: { secretKey: Uint8Array; publicKey: Uint8Array };
  moniker: string;
  /** `host:port` to listen on, or null for outbound only. */
  listen: string | null;
  peers: string[];
  maxPeers: number;
  maxFrameBytes: number;
  maxMessagesPerSecond: number;
  banSeconds: number;
  peerExchange: boolean;
  logger: Logger;
  handshakeTimeoutMs?: number;
  onMessage: (peer: PeerInfo, type: number, payload: Uint8Array) => void;
  onPeerConnected?: (peer: PeerInfo) => void;
  onPeerDisconnected?: (peer: PeerInfo) => void;
}

/** Devnet fault injection for one peer: drop or delay app frames both ways. */
export interface Fault {
  drop?: boolean;
  /** Drop only app frames of these types (both ways). */
  dropTypes?: number[];
  delayMs?: number;
}

interface Conn {
  ws: WebSocket;
  inbound: boolean;
  remote: string;
  nonce: Uint8Array;
  hello?: Hello;
  info?: PeerInfo;
  dialUrl?: string;
  bucket: TokenBucket;
  alive: boolean;
  timer?: NodeJS.Timeout;
}

export interface Transport {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound listen URL (`ws://host:port`), after start. */
  listenUrl(): string;
  nodeId: string;
  peers(): PeerInfo[];
  broadcast(type: number, payload: Uint8Array, opts?: { except?: string }): void;
  send(peerId: string, type: number, payload: Uint8Array): boolean;
  /** Drops and bans a peer that sent invalid data. */
  misbehave(peerId: string, reason: string): void;
  setFault(peerId: string, fault: Fault | null): void;
  faults(): Record<string, Fault>;
  /** Adds a peer URL to dial (static peers, devnet wiring). */
  addPeer(url: string): void;
}

export function createTransport(opts: TransportOptions): Transport {
  const log = opts.logger;
  const nodeId = nodeIdOf(opts.nodeKey.publicKey);
  const conns = new Set<Conn>();
  const byId = new Map<string, Conn>();
  const bans = new Map<string, number>();
  const faultsById = new Map<string, Fault>();
  const dialers = new Map<string, { backoff: number; timer?: NodeJS.Timeout; connecting: boolean }>();
  let server: WebSocketServer | undefined;
  let boundUrl = "";
  let stopped = false;
  let heartbeat: NodeJS.Timeout | undefined;

  const frame = (type: number, payload: Uint8Array) => {
    const out = Buffer.allocUnsafe(payload.length + 1);
    out[0] = type;
    out.set(payload, 1);
    return out;
  };

  function drop(c: Conn, reason: string, ban = false): void {
    if (ban && c.info) {
      bans.set(c.info.id, Date.now() + opts.banSeconds * 1000);
      log.warn({ peer: c.info.id, moniker: c.info.moniker, reason }, "peer banned");
    } else {
      log.debug({ peer: c.info?.id ?? c.remote, reason }, "peer dropped");
    }
    c.ws.terminate();
  }

  function onClose(c: Conn): void {
    if (c.timer) clearTimeout(c.timer);
    conns.delete(c);
    if (c.info && byId.get(c.info.id) === c) {
      byId.delete(c.info.id);
      opts.onPeerDisconnected?.(c.info);
    }
    if (c.dialUrl) scheduleDial(c.dialUrl);
  }

  function attach(ws: WebSocket, inbound: boolean, remote: string, dialUrl?: string): void {
    const c: Conn = {
      ws,
      inbound,
      remote,
      nonce: randomBytes(32),
      bucket: new TokenBucket(opts.maxMessagesPerSecond, opts.maxMessagesPerSecond * 2),
      alive: true,
      ...(dialUrl ? { dialUrl } : {}),
    };
    conns.add(c);
    c.timer = setTimeout(() => !c.info && drop(c, "handshake timeout"), opts.handshakeTimeoutMs ?? 5000);
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      try {
        onFrame(c, data as Buffer, isBinary);
      } catch (err) {
        drop(c, `bad frame: ${(err as Error).message}`, true);
      }
    });
    ws.on("close", () => onClose(c));
    ws.on("error", (err) => log.debug({ remote, err: err.message }, "p2p socket error"));
    ws.send(
      frame(
        FRAME.hello,
        encode(HelloCodec, {
          version: P2P_VERSION,
          genesisHash: opts.genesisHash,
          nodeKey: opts.nodeKey.publicKey,
          nonce: c.nonce,
          listenUrl: boundUrl,
          moniker: opts.moniker.slice(0, 64),
        }),
      ),
    );
  }

  function authInput(c: Conn, peerNonce: Uint8Array): AuthInput {
    return {
      chainId: opts.chainId,
      genesisHash: opts.genesisHash,
      initiatorNonce: c.inbound ? peerNonce : c.nonce,
      responderNonce: c.inbound ? c.nonce : peerNonce,
    };
  }

  function onFrame(c: Conn, data: Buffer, isBinary: boolean): void {
    if (!isBinary || data.length === 0) return drop(c, "non-binary or empty frame", true);
    const type = data[0] as number;
    const payload = data.subarray(1);
    if (!c.info) return onHandshakeFrame(c, type, payload);
    if (!c.bucket.take()) return drop(c, "rate limit exceeded", true);
    if (type === FRAME.peers) return onPeers(decode(PeersCodec, payload).urls);
    if (type < FIRST_APP_FRAME) return drop(c, `unexpected frame type ${type}`, true);
    const fault = faultsById.get(c.info.id) ?? faultsById.get("*");
    if (fault?.drop || fault?.dropTypes?.includes(type)) return;
    const info = c.info;
    const copy = new Uint8Array(payload);
    if (fault?.delayMs) setTimeout(() => !stopped && opts.onMessage(info, type, copy), fault.delayMs);
    else opts.onMessage(info, type, copy);
  }

  function onHandshakeFrame(c: Conn, type: number, payload: Uint8Array): void {
    if (type === FRAME.hello && !c.hello) {
      const hello = decode(HelloCodec, payload);
      if (hello.version !== P2P_VERSION) return drop(c, `p2p version ${hello.version}`);
      if (!bytesEqual(hello.genesisHash, opts.genesisHash)) return drop(c, "different genesis / chain");
      if (!isValidPublicKey(hello.nodeKey)) return drop(c, "invalid node key", false);
      const id = nodeIdOf(hello.nodeKey);
      if (id === nodeId) return drop(c, "connected to self");
      if ((bans.get(id) ?? 0) > Date.now()) return drop(c, "banned");
      c.hello = hello;
      const signature = signAuth(authInput(c, hello.nonce), opts.nodeKey.secretKey, opts.nodeKey.publicKey);
      c.ws.send(frame(FRAME.auth, encode(AuthCodec, { signature })));
      return;
    }
    if (type === FRAME.auth && c.hello) {
      const { signature } = decode(AuthCodec, payload);
      if (!verifyAuth(authInput(c, c.hello.nonce), c.hello.nodeKey, signature)) {
        return drop(c, "bad handshake signature");
      }
      return established(c, c.hello);
    }
    drop(c, `frame ${type} before handshake`);
  }

  function established(c: Conn, hello: Hello): void {
    if (c.timer) clearTimeout(c.timer);
    const info: PeerInfo = {
      id: nodeIdOf(hello.nodeKey),
      moniker: hello.moniker,
      listenUrl: hello.listenUrl,
      inbound: c.inbound,
      remote: c.remote,
    };
    const existing = byId.get(info.id);
    if (existing) {
      // Simultaneous dials: both sides keep the connection initiated by the lower node id.
      const initiator = (x: Conn) => (x.inbound ? info.id : nodeId);
      const keepNew = initiator(existing) === initiator(c) || initiator(c) < initiator(existing);
      if (!keepNew) return drop(c, "duplicate connection");
      // The old socket's close handler sees byId pointing at the new one and leaves it alone.
      existing.ws.terminate();
    }
    if (byId.size >= opts.maxPeers) return drop(c, "max peers reached");
    c.info = info;
    byId.set(info.id, c);
    if (info.listenUrl && !dialers.has(info.listenUrl) && !c.dialUrl) {
      dialers.set(info.listenUrl, { backoff: 200, connecting: false });
    }
    const dialer = c.dialUrl ? dialers.get(c.dialUrl) : undefined;
    if (dialer) dialer.backoff = 200;
    log.info({ peer: info.id, moniker: info.moniker, inbound: info.inbound }, "peer connected");
    opts.onPeerConnected?.(info);
    if (opts.peerExchange) sharePeers();
  }

  function sharePeers(): void {
    const urls = [...byId.values()]
      .map((p) => p.info?.listenUrl ?? "")
      .filter(Boolean)
      .slice(0, 64);
    if (boundUrl) urls.push(boundUrl);
    const payload = frame(FRAME.peers, encode(PeersCodec, { urls: urls.slice(0, 64) }));
    for (const c of byId.values()) c.ws.send(payload);
  }

  function onPeers(urls: string[]): void {
    if (!opts.peerExchange) return;
    for (const url of urls) {
      if (url === boundUrl || dialers.has(url) || !/^wss?:\/\//.test(url)) continue;
      if ([...byId.values()].some((c) => c.info?.listenUrl === url)) continue;
      if (dialers.size >= opts.maxPeers * 2) return;
      dialers.set(url, { backoff: 200, connecting: false });
      scheduleDial(url, 0);
    }
  }

  function connectedTo(url: string): boolean {
    for (const c of conns) if (c.dialUrl === url || c.info?.listenUrl === url) return true;
    return false;
  }

  function scheduleDial(url: string, delay?: number): void {
    const d = dialers.get(url);
    if (!d || stopped || d.timer || d.connecting) return;
    const wait = delay ?? d.backoff;
    d.backoff = Math.min(d.backoff * 2, 5000);
    d.timer = setTimeout(() => {
      delete d.timer;
      dial(url);
    }, wait);
  }

  function dial(url: string): void {
    const d = dialers.get(url);
    if (!d || stopped || connectedTo(url) || byId.size >= opts.maxPeers) return;
    d.connecting = true;
    const ws = new WebSocket(`${url.replace(/\/$/, "")}/p2p`, {
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: 3000,
    });
    ws.once("open", () => {
      d.connecting = false;
      attach(ws, false, url, url);
    });
    ws.once("error", () => {
      if (!d.connecting) return;
      d.connecting = false;
      scheduleDial(url);
    });
  }

  return {
    nodeId,
    listenUrl: () => boundUrl,
    async start() {
      if (opts.listen) {
        const [host, port] = opts.listen.split(":") as [string, string];
        server = new WebSocketServer({
          host,
          port: Number(port),
          path: "/p2p",
          maxPayload: opts.maxFrameBytes,
          perMessageDeflate: false,
        });
        await new Promise<void>((resolve, reject) => {
          server?.once("listening", resolve);
          server?.once("error", reject);
        });
        const addr = server.address();
        boundUrl = typeof addr === "object" && addr ? `ws://${host}:${addr.port}` : "";
        server.on("connection", (ws, req: IncomingMessage) => {
          if (conns.size >= opts.maxPeers * 2) return ws.terminate();
          attach(ws, true, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
        });
      }
      heartbeat = setInterval(() => {
        for (const c of conns) {
          if (!c.alive) {
            drop(c, "no pong");
            continue;
          }
          c.alive = false;
          c.ws.ping();
        }
      }, 5000);
      for (const url of opts.peers) this.addPeer(url);
    },
    async stop() {
      stopped = true;
      if (heartbeat) clearInterval(heartbeat);
      for (const d of dialers.values()) if (d.timer) clearTimeout(d.timer);
      // A clean close sends what is still buffered (e.g. the tx gossip flushed on stop: issue 24 item 11)
      // before the close frame; a peer that does not answer within a second is cut off.
      await Promise.all(
        [...conns].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.ws.readyState === c.ws.CLOSED) return resolve();
              const cut = setTimeout(() => {
                c.ws.terminate();
                resolve();
              }, 1_000);
              c.ws.once("close", () => {
                clearTimeout(cut);
                resolve();
              });
              c.ws.close(1001, "node stopping");
            }),
        ),
      );
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    },
    peers: () => [...byId.values()].map((c) => c.info as PeerInfo),
    broadcast(type, payload, o = {}) {
      const f = frame(type, payload);
      for (const [id, c] of byId) {
        if (id === o.except) continue;
        sendFrame(id, c, f);
      }
    },
    send(peerId, type, payload) {
      const c = byId.get(peerId);
      if (!c) return false;
      sendFrame(peerId, c, frame(type, payload));
      return true;
    },
    misbehave(peerId, reason) {
      const c = byId.get(peerId);
      if (c) drop(c, reason, true);
    },
    setFault(peerId, fault) {
      if (fault) faultsById.set(peerId, fault);
      else faultsById.delete(peerId);
    },
    faults: () => Object.fromEntries(faultsById),
    addPeer(url) {
      if (url === boundUrl || dialers.has(url)) return;
      dialers.set(url, { backoff: 200, connecting: false });
      scheduleDial(url, 0);
    },
  };

  function sendFrame(id: string, c: Conn, f: Buffer): void {
    const fault = faultsById.get(id) ?? faultsById.get("*");
    if (fault?.drop || fault?.dropTypes?.includes(f[0] as number)) return;
    // Backpressure: a peer that cannot keep up is dropped rather than buffered without bound.
    if (c.ws.bufferedAmount > 64 << 20) return drop(c, "send buffer full");
    if (fault?.delayMs) setTimeout(() => c.ws.readyState === WebSocket.OPEN && c.ws.send(f), fault.delayMs);
    else c.ws.send(f);
  }
}
