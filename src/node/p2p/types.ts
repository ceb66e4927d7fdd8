/**
 * The p2p transport's public types (DESIGN.md §5): what the node sees of peers and how it configures and
 * drives the transport. The implementation is in transport.ts.
 */
import type { Fault } from "./fault.js";

export interface PeerInfo {
  id: string;
  moniker: string;
  listenUrl: string;
  inbound: boolean;
  remote: string;
  /** A configured or proven validator peer: it cannot be displaced by strangers. */
  reserved: boolean;
  /** Address (hex) of the validator key of the current set the peer proved in its handshake, or null. */
  validator: string | null;
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

export type { Fault } from "./fault.js";

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
  /** To every peer but `except` and those `skip` returns true for; returns how many were skipped. */
  broadcast(
    type: number,
    payload: Uint8Array,
    opts?: { except?: string; skip?: (peerId: string) => boolean },
  ): number;
  send(peerId: string, type: number, payload: Uint8Array): boolean;
  /** Drops and bans a peer that sent invalid data (its IP gets strikes too). */
  misbehave(peerId: string, reason: string): void;
  setFault(peerId: string, fault: Fault | null): void;
  faults(): Record<string, Fault>;
  /**
   * True when a fault set here drops or loses frames to or from this peer: all of them, at random, or any
   * of `types` (delay alone does not).
   */
  impaired(peerId: string, types: readonly number[]): boolean;
  /** Adds a configured peer URL to dial (static peers, devnet wiring): redialled forever, reserved. */
  addPeer(url: string): void;
}
