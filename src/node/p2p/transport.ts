import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { bytesEqual, decode, encode } from "../../core/codec/index.js";
import { isValidPublicKey } from "../../core/crypto/index.js";
import { createDialer } from "./dialer.js";
import {
  AuthCodec,
  type AuthInput,
  type Hello,
  HelloCodec,
  nodeIdOf,
  P2P_VERSION,
  PeersCodec,
  signAuth,
  signValidatorAuth,
  verifyAuth,
  verifyValidatorAuth,
} from "./handshake.js";
import {
  createIpGuard,
  normalizeIp,
  STRIKES_PER_HANDSHAKE_FAILURE as STRIKE,
  STRIKES_PER_BAN,
} from "./ip-guard.js";
import { decideSlot, P2P_DEFAULTS } from "./peer-slots.js";
import { TokenBucket } from "./rate-limit.js";

/**
 * WebSocket p2p transport (DESIGN.md §5): authenticated handshake, binary frames `type ‖ payload` with a
 * max size, per-peer rate limits, bans for misbehaving peers, configured peers redialled forever with
 * backoff (dialer.ts), reserved slots for configured and validator peers (peer-slots.ts), per-IP limits
 * and bans a fresh node key cannot evade (ip-guard.ts), and peer exchange. It knows nothing about
 * consensus: the node registers `onMessage` and decodes app frames (types ≥ 16) itself, calling
 * `misbehave` on garbage.
 */
export const FRAME = { hello: 1, auth: 2, peers: 3 } as const;
/** First frame type available to the application. */
export const FIRST_APP_FRAME = 16;

/** Most node ids remembered as banned; past it expired bans go, then the oldest. */
const MAX_BANS = 10_000;
/** An outbound connection that lasted this long was a success: its redial backoff starts over. */
const STABLE_MS = 5000;

export interface PeerInfo {
  id: string;
  moniker: string;
  listenUrl: string;
  inbound: boolean;
  remote: string;
  /** A configured or proven validator peer: it cannot be displaced by strangers. */
  reserved: boolean;
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
  /** Configured peers: dialled forever and given reserved slots. */
  peers: string[];
  maxPeers: number;
  maxFrameBytes: number;
  maxMessagesPerSecond: number;
  banSeconds: number;
  peerExchange: boolean;
  logger: Logger;
  handshakeTimeoutMs?: number;
  /** Most non-reserved inbound peers, and inbound handshakes in progress, per IP (default 16). */
  maxInboundPerIp?: number;
  /** This node's validator key: proven in every handshake, so peers give this node a reserved slot. */
  validatorKey?: { secretKey: Uint8Array; publicKey: Uint8Array } | null;
  /** True when `publicKey` is in the current validator set: a peer proving it gets a reserved slot. */
  isValidator?: (publicKey: Uint8Array) => boolean;
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
  ip: string;
  nonce: Uint8Array;
  hello?: Hello;
  info?: PeerInfo;
  dialUrl?: string;
  bucket: TokenBucket;
  alive: boolean;
  /** Counted in the IP guard's handshakes in progress (inbound, not yet established or closed). */
  handshaking: boolean;
  since: number;
  timer?: NodeJS.Timeout;
}

export interface Transport {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound listen URL (`ws://host:port`), after start. */
  listenUrl(): string;
  nodeId: string;
  peers(): PeerInfo[];
  /** True while a peer with this id is connected. */
  isConnected(peerId: string): boolean;
  /** Registers a listener called when a peer disconnects (besides `onPeerDisconnected`). */
  onDisconnect(listener: (peer: PeerInfo) => void): void;
  broadcast(type: number, payload: Uint8Array, opts?: { except?: string }): void;
  send(peerId: string, type: number, payload: Uint8Array): boolean;
  /** Drops and bans a peer that sent invalid data (its IP gets strikes too). */
  misbehave(peerId: string, reason: string): void;
  setFault(peerId: string, fault: Fault | null): void;
  faults(): Record<string, Fault>;
  /** Adds a configured peer URL to dial (static peers, devnet wiring): redialled forever, reserved. */
  addPeer(url: string): void;
}

export function createTransport(opts: TransportOptions): Transport {
  const log = opts.logger;
  const nodeId = nodeIdOf(opts.nodeKey.publicKey);
  const maxInboundPerIp = opts.maxInboundPerIp ?? P2P_DEFAULTS.maxInboundPerIp;
  const conns = new Set<Conn>();
  const byId = new Map<string, Conn>();
  const bans = new Map<string, number>();
  const faultsById = new Map<string, Fault>();
  /** Node id each configured URL proved when we dialled it: those ids are reserved, in either direction. */
  const staticIds = new Map<string, string>();
  const disconnectListeners: ((peer: PeerInfo) => void)[] = [];
  const guard = createIpGuard({ maxPerIp: maxInboundPerIp, banMs: opts.banSeconds * 1000 });
  const dialer = createDialer(dial);
  let pendingInbound = 0;
  let server: WebSocketServer | undefined;
  let boundUrl = "";
  let stopped = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let maintenance: NodeJS.Timeout | undefined;

  const frame = (type: number, payload: Uint8Array) => {
    const out = Buffer.allocUnsafe(payload.length + 1);
    out[0] = type;
    out.set(payload, 1);
    return out;
  };

  const isStaticId = (id: string) => [...staticIds.values()].includes(id);

  /** Drops a connection; `ban` bans an authenticated peer's id, `strikes` count against an inbound IP. */
  function drop(c: Conn, reason: string, o: { ban?: boolean; strikes?: number } = {}): void {
    let strikes = o.strikes ?? 0;
    if (o.ban && c.info) {
      banId(c.info.id);
      strikes = STRIKES_PER_BAN;
      log.warn({ peer: c.info.id, moniker: c.info.moniker, ip: c.ip, reason }, "peer banned");
    } else {
      log.debug({ peer: c.info?.id ?? c.remote, reason }, "peer dropped");
      if (o.ban) strikes = Math.max(strikes, STRIKE);
    }
    if (strikes && c.inbound && guard.strike(c.ip, strikes))
      log.warn({ ip: c.ip, reason }, "IP banned for non-reserved peers");
    detach(c);
    c.ws.terminate();
  }

  function banId(id: string): void {
    const t = Date.now();
    if (bans.size >= MAX_BANS) for (const [k, until] of bans) if (until <= t) bans.delete(k);
    while (bans.size >= MAX_BANS) bans.delete(bans.keys().next().value as string);
    bans.delete(id);
    bans.set(id, t + opts.banSeconds * 1000);
  }

  function endHandshake(c: Conn): void {
    if (!c.handshaking) return;
    c.handshaking = false;
    pendingInbound--;
    guard.closeHandshake(c.ip);
  }

  /** Removes an established peer from the peer set (once), telling the listeners. */
  function detach(c: Conn): void {
    if (!c.info || byId.get(c.info.id) !== c) return;
    byId.delete(c.info.id);
    opts.onPeerDisconnected?.(c.info);
    for (const l of disconnectListeners) l(c.info);
  }

  function onClose(c: Conn): void {
    if (c.timer) clearTimeout(c.timer);
    endHandshake(c);
    conns.delete(c);
    detach(c);
    if (stopped) return;
    if (c.dialUrl) {
      // Any failure — refused slot, failed handshake, dropped later — counts; a long-lived link resets.
      if (c.info && Date.now() - c.since >= STABLE_MS) {
        dialer.succeeded(c.dialUrl);
        dialer.schedule(c.dialUrl);
      } else dialer.failed(c.dialUrl);
    } else if (c.info) {
      // A configured peer that had dialled us: dial it back.
      for (const [url, id] of staticIds) if (id === c.info.id) dialer.schedule(url);
    }
  }

  function attach(ws: WebSocket, inbound: boolean, remote: string, ip: string, dialUrl?: string): void {
    const c: Conn = {
      ws,
      inbound,
      remote,
      ip,
      nonce: randomBytes(32),
      bucket: new TokenBucket(opts.maxMessagesPerSecond, opts.maxMessagesPerSecond * 2),
      alive: true,
      handshaking: inbound,
      since: Date.now(),
      ...(dialUrl ? { dialUrl } : {}),
    };
    if (inbound) pendingInbound++;
    conns.add(c);
    c.timer = setTimeout(
      () => !c.info && drop(c, "handshake timeout", { strikes: STRIKE }),
      opts.handshakeTimeoutMs ?? 5000,
    );
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      try {
        onFrame(c, data as Buffer, isBinary);
      } catch (err) {
        drop(c, `bad frame: ${(err as Error).message}`, { ban: true });
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
          validatorKey: opts.validatorKey?.publicKey ?? null,
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
    if (!isBinary || data.length === 0) return drop(c, "non-binary or empty frame", { ban: true });
    const type = data[0] as number;
    const payload = data.subarray(1);
    if (!c.info) return onHandshakeFrame(c, type, payload);
    if (!c.bucket.take()) return drop(c, "rate limit exceeded", { ban: true });
    if (type === FRAME.peers) return onPeers(decode(PeersCodec, payload).urls);
    if (type < FIRST_APP_FRAME) return drop(c, `unexpected frame type ${type}`, { ban: true });
    const fault = faultsById.get(c.info.id) ?? faultsById.get("*");
    if (fault?.drop || fault?.dropTypes?.includes(type)) return;
    const info = c.info;
    const copy = new Uint8Array(payload);
    if (fault?.delayMs) setTimeout(() => !stopped && opts.onMessage(info, type, copy), fault.delayMs);
    else opts.onMessage(info, type, copy);
  }

  /** A peer that may claim a reserved slot (checked again once its auth has verified). */
  function mayBeReserved(id: string, hello: Hello): boolean {
    return (
      isStaticId(id) || (hello.validatorKey !== null && (opts.isValidator?.(hello.validatorKey) ?? false))
    );
  }

  function onHandshakeFrame(c: Conn, type: number, payload: Uint8Array): void {
    if (type === FRAME.hello && !c.hello) {
      const hello = decode(HelloCodec, payload);
      if (hello.version !== P2P_VERSION) return drop(c, `p2p version ${hello.version}`);
      if (!bytesEqual(hello.genesisHash, opts.genesisHash)) return drop(c, "different genesis / chain");
      if (!isValidPublicKey(hello.nodeKey)) return drop(c, "invalid node key", { strikes: STRIKE });
      const id = nodeIdOf(hello.nodeKey);
      if (id === nodeId) return drop(c, "connected to self");
      if ((bans.get(id) ?? 0) > Date.now()) return drop(c, "banned");
      // PERF: refused before this node signs anything.
      if (c.inbound && guard.isBanned(c.ip) && !mayBeReserved(id, hello)) return drop(c, "IP banned");
      c.hello = hello;
      const input = authInput(c, hello.nonce);
      const signature = signAuth(input, opts.nodeKey.secretKey, opts.nodeKey.publicKey);
      const validatorSignature = opts.validatorKey
        ? signValidatorAuth(input, opts.nodeKey.publicKey, opts.validatorKey)
        : null;
      c.ws.send(frame(FRAME.auth, encode(AuthCodec, { signature, validatorSignature })));
      return;
    }
    if (type === FRAME.auth && c.hello) {
      const hello = c.hello;
      const { signature, validatorSignature } = decode(AuthCodec, payload);
      const input = authInput(c, hello.nonce);
      if (!verifyAuth(input, hello.nodeKey, signature))
        return drop(c, "bad handshake signature", { strikes: STRIKE });
      // The validator proof is checked only when it would matter: the key is in the current set.
      let validator = false;
      if (hello.validatorKey && opts.isValidator?.(hello.validatorKey)) {
        if (
          !validatorSignature ||
          !verifyValidatorAuth(input, hello.nodeKey, hello.validatorKey, validatorSignature)
        )
          return drop(c, "bad validator proof", { strikes: STRIKE });
        validator = true;
      }
      const id = nodeIdOf(hello.nodeKey);
      // Learned before any slot decision, so a later inbound connection from this node is reserved too.
      if (c.dialUrl && dialer.isStatic(c.dialUrl)) staticIds.set(c.dialUrl, id);
      return established(c, hello, validator);
    }
    drop(c, `frame ${type} before handshake`, { strikes: STRIKE });
  }

  function established(c: Conn, hello: Hello, validator: boolean): void {
    if (c.timer) clearTimeout(c.timer);
    endHandshake(c);
    const id = nodeIdOf(hello.nodeKey);
    const reserved = (c.dialUrl !== undefined && dialer.isStatic(c.dialUrl)) || isStaticId(id) || validator;
    const info: PeerInfo = {
      id,
      moniker: hello.moniker,
      listenUrl: hello.listenUrl,
      inbound: c.inbound,
      remote: c.remote,
      reserved,
    };
    const existing = byId.get(id);
    if (existing) {
      // Simultaneous dials: both sides keep the connection initiated by the lower node id.
      const initiator = (x: Conn) => (x.inbound ? id : nodeId);
      const keepNew = initiator(existing) === initiator(c) || initiator(c) < initiator(existing);
      if (!keepNew) return drop(c, "duplicate connection");
      // The old socket's close handler sees byId pointing at the new one and leaves it alone.
      byId.delete(id);
      existing.ws.terminate();
    }
    const slot = decideSlot(
      { inbound: c.inbound, reserved, ip: c.ip },
      [...byId.values()].map((x) => ({
        conn: x,
        inbound: x.inbound,
        reserved: !!x.info?.reserved,
        ip: x.ip,
      })),
      { maxPeers: opts.maxPeers, maxInboundPerIp },
    );
    if (!slot.accept) return drop(c, slot.reason);
    if (slot.evict) drop(slot.evict.conn, "slot given to a reserved peer");
    c.info = info;
    c.since = Date.now();
    byId.set(id, c);
    log.info({ peer: id, moniker: info.moniker, inbound: info.inbound, reserved }, "peer connected");
    opts.onPeerConnected?.(info);
    if (opts.peerExchange) sharePeers();
  }

  function sharePeers(): void {
    const urls = [...byId.values()]
      .map((p) => p.info?.listenUrl ?? "")
      .filter(Boolean)
      .slice(0, 63);
    if (boundUrl) urls.push(boundUrl);
    const payload = frame(FRAME.peers, encode(PeersCodec, { urls }));
    for (const c of byId.values()) c.ws.send(payload);
  }

  function onPeers(urls: string[]): void {
    if (!opts.peerExchange) return;
    for (const url of urls) {
      if (url === boundUrl || dialer.has(url) || !/^wss?:\/\/[^\s/]+$/.test(url) || connectedTo(url))
        continue;
      if (dialer.learnedCount() >= opts.maxPeers * 2) return;
      dialer.add(url, false);
    }
  }

  /** A connection to `url` exists or is being made (for learned URLs a claimed listen URL counts). */
  function connectedTo(url: string): boolean {
    for (const c of conns) if (c.dialUrl === url || c.info?.listenUrl === url) return true;
    return false;
  }

  /**
   * A configured URL is connected when we dialled it or a peer proved its id. SECURITY: a listen URL that
   * a peer merely claims does not count, or a sybil could stop us dialling a configured peer.
   */
  function staticConnected(url: string): boolean {
    const id = staticIds.get(url);
    if (id && byId.has(id)) return true;
    for (const c of conns) if (c.dialUrl === url) return true;
    return false;
  }

  function dial(url: string): void {
    if (stopped) return;
    const isStatic = dialer.isStatic(url);
    if (isStatic ? staticConnected(url) : connectedTo(url)) return; // maintenance re-checks it later
    if (!isStatic && byId.size >= opts.maxPeers) return; // no room for a learned peer now
    dialer.setConnecting(url, true);
    const ws = new WebSocket(`${url.replace(/\/$/, "")}/p2p`, {
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: 3000,
    });
    let opened = false;
    ws.once("open", () => {
      opened = true;
      dialer.setConnecting(url, false);
      if (stopped) return ws.terminate();
      attach(ws, false, url, url, url);
    });
    ws.once("error", () => {
      if (!opened) dialer.failed(url);
    });
  }

  /** Every second: any configured peer not connected gets a dial (covers every way a link can end). */
  function maintain(): void {
    for (const url of dialer.urls()) {
      const wanted = dialer.isStatic(url)
        ? !staticConnected(url)
        : !connectedTo(url) && byId.size < opts.maxPeers;
      if (wanted) dialer.schedule(url);
    }
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const ip = normalizeIp(req.socket.remoteAddress);
    // SECURITY: handshakes in progress are capped in all and per IP, so strangers cannot hold them all.
    if (pendingInbound >= opts.maxPeers || !guard.openHandshake(ip)) return ws.terminate();
    attach(ws, true, `${req.socket.remoteAddress}:${req.socket.remotePort}`, ip);
  }

  function sendFrame(id: string, c: Conn, f: Buffer): void {
    const fault = faultsById.get(id) ?? faultsById.get("*");
    if (fault?.drop || fault?.dropTypes?.includes(f[0] as number)) return;
    // Backpressure: a peer that cannot keep up is dropped rather than buffered without bound.
    if (c.ws.bufferedAmount > 64 << 20) return drop(c, "send buffer full");
    if (fault?.delayMs) setTimeout(() => c.ws.readyState === WebSocket.OPEN && c.ws.send(f), fault.delayMs);
    else c.ws.send(f);
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
        server.on("connection", onConnection);
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
      maintenance = setInterval(maintain, 1000);
      for (const url of opts.peers) this.addPeer(url);
    },
    async stop() {
      stopped = true;
      if (heartbeat) clearInterval(heartbeat);
      if (maintenance) clearInterval(maintenance);
      dialer.stop();
      for (const c of conns) c.ws.terminate();
      if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    },
    peers: () => [...byId.values()].map((c) => c.info as PeerInfo),
    isConnected: (peerId) => byId.has(peerId),
    onDisconnect(listener) {
      disconnectListeners.push(listener);
    },
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
      if (c) drop(c, reason, { ban: true });
    },
    setFault(peerId, fault) {
      if (fault) faultsById.set(peerId, fault);
      else faultsById.delete(peerId);
    },
    faults: () => Object.fromEntries(faultsById),
    addPeer(url) {
      if (url !== boundUrl) dialer.add(url, true);
    },
  };
}
