/**
 * WebSocket p2p transport (DESIGN.md §5): authenticated handshake, then binary frames `type ‖ payload`
 * sealed with AES-256-GCM under keys from an ephemeral X25519 exchange bound to both node keys
 * (secure-link.ts; a frame that fails to open closes the link), with a max size, per-peer rate limits, bans for misbehaving peers, configured peers redialled forever with
 * backoff (dialer.ts), reserved slots for configured and validator peers (peer-slots.ts), per-IP limits
 * and bans a fresh node key cannot evade (ip-guard.ts), and peer exchange. It knows nothing about
 * consensus: the node registers `onMessage` and decodes app frames (types ≥ 16) itself, calling
 * `misbehave` on garbage.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { decode, encode, toHex } from "../../core/codec/index.js";
import { addressBytes } from "../../core/crypto/index.js";
import { createFaultLines, createRandom, frameFate } from "./fault.js";
import { type Hello, nodeIdOf, PeersCodec } from "./handshake.js";
import { FRAME, handshakeStep, helloPayload } from "./handshake-flow.js";
import {
  createIpGuard,
  normalizeIp,
  STRIKES_PER_HANDSHAKE_FAILURE as STRIKE,
  STRIKES_PER_BAN,
} from "./ip-guard.js";
import { createOutbound } from "./outbound.js";
import { decideSlot, P2P_DEFAULTS } from "./peer-slots.js";
import { TokenBucket } from "./rate-limit.js";
import { createEphemeral, type Ephemeral, LINK_TAG_BYTES, type LinkKeys } from "./secure-link.js";
import type { Fault, PeerInfo, Transport, TransportOptions } from "./types.js";

export { FRAME } from "./handshake-flow.js";
export type { Fault, Logger, PeerInfo, Transport, TransportOptions } from "./types.js";
/** First frame type available to the application. */
export const FIRST_APP_FRAME = 16;

/** Most node ids remembered as banned; past it expired bans go, then the oldest. */
const MAX_BANS = 10_000;

interface Conn {
  ws: WebSocket;
  inbound: boolean;
  remote: string;
  ip: string;
  nonce: Uint8Array;
  ephemeral: Ephemeral;
  /** Set once this side has sent its Auth: every later frame is sealed / opened with it. */
  link?: LinkKeys;
  hello?: Hello;
  info?: PeerInfo;
  dialUrl?: string;
  bucket: TokenBucket;
  alive: boolean;
  /** Counted in the IP guard's handshakes in progress (inbound, not yet established or closed). */
  handshaking: boolean;
  since: number;
  dropped?: boolean;
  timer?: NodeJS.Timeout;
}

export function createTransport(opts: TransportOptions): Transport {
  const log = opts.logger;
  const nodeId = nodeIdOf(opts.nodeKey.publicKey);
  const maxInboundPerIp = opts.maxInboundPerIp ?? P2P_DEFAULTS.maxInboundPerIp;
  const limits = { maxPeers: opts.maxPeers, maxInboundPerIp };
  const conns = new Set<Conn>();
  const byId = new Map<string, Conn>();
  const bans = new Map<string, number>();
  const faultsById = new Map<string, Fault>();
  const faultRandom = createRandom();
  const faultLines = createFaultLines();
  const disconnectListeners: ((peer: PeerInfo) => void)[] = [];
  const guard = createIpGuard({ maxPerIp: maxInboundPerIp, banMs: opts.banSeconds * 1000 });
  const outbound = createOutbound({
    conns,
    peers: byId,
    maxPeers: opts.maxPeers,
    maxFrameBytes: opts.maxFrameBytes + LINK_TAG_BYTES,
    boundUrl: () => boundUrl,
    isStopped: () => stopped,
    opened: (ws, url) => attach(ws, false, url, url, url),
  });
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
    c.dropped = true;
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
    if (!stopped) outbound.closed(c);
  }

  function attach(ws: WebSocket, inbound: boolean, remote: string, ip: string, dialUrl?: string): void {
    const c: Conn = {
      ws,
      inbound,
      remote,
      ip,
      nonce: randomBytes(32),
      ephemeral: createEphemeral(),
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
    ws.send(frame(FRAME.hello, helloPayload(opts, c, boundUrl, opts.moniker)));
  }

  function onFrame(c: Conn, data: Buffer, isBinary: boolean): void {
    // Frames read in the same chunk as the one that got the peer dropped still arrive: ignored (an honest
    // peer's auth after a refused Hello must not count as a failed handshake).
    if (c.dropped) return;
    if (!isBinary || data.length === 0) return drop(c, "non-binary or empty frame", { ban: true });
    if (!c.info) return onHandshakeFrame(c, data[0] as number, data.subarray(1));
    if (!c.bucket.take()) return drop(c, "rate limit exceeded", { ban: true });
    let plain: Uint8Array;
    try {
      plain = (c.link as LinkKeys).recv.open(data);
    } catch (err) {
      // SECURITY: a replayed, reordered or altered frame. Not banned: an on-path attacker, not the peer,
      // may have done it; the link is closed either way and the counters never resynchronise. One IP
      // strike (as a failed handshake), so a peer cannot make this node redo handshakes without end.
      return drop(c, (err as Error).message, { strikes: STRIKE });
    }
    if (plain.length === 0) return drop(c, "empty frame", { ban: true });
    const type = plain[0] as number;
    const payload = plain.subarray(1);
    if (type === FRAME.peers)
      return opts.peerExchange ? outbound.learn(decode(PeersCodec, payload).urls) : undefined;
    if (type < FIRST_APP_FRAME) return drop(c, `unexpected frame type ${type}`, { ban: true });
    const fault = faultsById.get(c.info.id) ?? faultsById.get("*");
    const fate = frameFate(fault, type, faultRandom);
    if (fate === null) return;
    const info = c.info;
    const copy = new Uint8Array(payload);
    if (fault) faultLines.inbound(c).push(fate, () => !stopped && opts.onMessage(info, type, copy));
    else opts.onMessage(info, type, copy);
  }

  /** A peer that may claim a reserved slot (checked again once its auth has verified). */
  function mayBeReserved(id: string, hello: Hello): boolean {
    return (
      outbound.isStaticId(id) ||
      (hello.validatorKey !== null && (opts.isValidator?.(hello.validatorKey) ?? false))
    );
  }

  /** Why a peer is refused at its Hello, before this node signs anything (null: go on). */
  function refuse(c: Conn, id: string, hello: Hello): string | null {
    if (id === nodeId) return "connected to self";
    if ((bans.get(id) ?? 0) > Date.now()) return "banned";
    if (!c.inbound || mayBeReserved(id, hello)) return null;
    if (guard.isBanned(c.ip)) return "IP banned";
    const slot = decideSlot({ inbound: true, reserved: false, ip: c.ip }, slotPeers(), limits);
    return slot.accept ? null : slot.reason;
  }

  function onHandshakeFrame(c: Conn, type: number, payload: Uint8Array): void {
    const r = handshakeStep(opts, c, type, payload, (id, hello) => refuse(c, id, hello));
    if (r.step === "drop") return drop(c, r.reason, { strikes: r.strikes });
    if (r.step === "reply") {
      c.hello = r.hello;
      c.ws.send(frame(FRAME.auth, r.auth));
      c.link = r.link;
      return;
    }
    // Learned before any slot decision, so a later inbound connection from this node is reserved too.
    outbound.proved(c, r.id);
    // A peer already connected to us under this id (it dialled first) is now known to be configured.
    const known = byId.get(r.id)?.info;
    if (known && outbound.isStaticId(r.id)) known.reserved = true;
    established(c, r.hello, r.validator);
  }

  function slotPeers() {
    return [...byId.values()].map((x) => ({
      conn: x,
      inbound: x.inbound,
      reserved: !!x.info?.reserved,
      ip: x.ip,
    }));
  }

  function established(c: Conn, hello: Hello, validator: boolean): void {
    if (c.timer) clearTimeout(c.timer);
    endHandshake(c);
    const id = nodeIdOf(hello.nodeKey);
    const reserved = outbound.isStaticDial(c) || outbound.isStaticId(id) || validator;
    const info: PeerInfo = {
      id,
      moniker: hello.moniker,
      listenUrl: hello.listenUrl,
      inbound: c.inbound,
      remote: c.remote,
      reserved,
      validator: validator && hello.validatorKey ? toHex(addressBytes(hello.validatorKey)) : null,
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
    const slot = decideSlot({ inbound: c.inbound, reserved, ip: c.ip }, slotPeers(), limits);
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
    for (const c of byId.values()) sendSealed(c, payload);
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const ip = normalizeIp(req.socket.remoteAddress);
    // SECURITY: handshakes in progress are capped in all and per IP, so strangers cannot hold them all.
    if (pendingInbound >= opts.maxPeers || !guard.openHandshake(ip)) return ws.terminate();
    attach(ws, true, `${req.socket.remoteAddress}:${req.socket.remotePort}`, ip);
  }

  /** Seals `f` with the link's next counter and writes it: the one place established frames leave. */
  function sendSealed(c: Conn, f: Uint8Array): void {
    if (c.ws.readyState !== WebSocket.OPEN || !c.link) return;
    c.ws.send(c.link.send.seal(f));
  }

  function sendFrame(id: string, c: Conn, f: Buffer): void {
    const fault = faultsById.get(id) ?? faultsById.get("*");
    const fate = frameFate(fault, f[0] as number, faultRandom);
    if (fate === null) return;
    // Backpressure: a peer that cannot keep up is dropped rather than buffered without bound.
    if (c.ws.bufferedAmount > 64 << 20) return drop(c, "send buffer full");
    // Sealed when it actually leaves (after a fault's delay), so the counters follow the wire order.
    if (fault) faultLines.outbound(c).push(fate, () => sendSealed(c, f));
    else sendSealed(c, f);
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
          maxPayload: opts.maxFrameBytes + LINK_TAG_BYTES,
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
      maintenance = setInterval(() => outbound.sweep(), 1000);
      for (const url of opts.peers) this.addPeer(url);
    },
    async stop() {
      stopped = true;
      if (heartbeat) clearInterval(heartbeat);
      if (maintenance) clearInterval(maintenance);
      outbound.stop();
      // Stop accepting first: peers that dial in during the clean close below would keep the server open.
      server?.off("connection", onConnection);
      server?.on("connection", (ws) => ws.terminate());
      const serverClosed = server && new Promise<void>((resolve) => server?.close(() => resolve()));
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
      await serverClosed;
    },
    peers: () => [...byId.values()].map((c) => c.info as PeerInfo),
    isConnected: (peerId) => byId.has(peerId),
    onDisconnect(listener) {
      disconnectListeners.push(listener);
    },
    broadcast(type, payload, o = {}) {
      const f = frame(type, payload);
      let skipped = 0;
      for (const [id, c] of byId) {
        if (id === o.except) continue;
        if (o.skip?.(id)) {
          skipped++;
          continue;
        }
        sendFrame(id, c, f);
      }
      return skipped;
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
    impaired(peerId, types) {
      const f = faultsById.get(peerId) ?? faultsById.get("*");
      return !!f && (!!f.drop || !!f.loss || !!f.dropTypes?.some((t) => types.includes(t)));
    },
    addPeer: (url) => outbound.add(url, true),
  };
}
