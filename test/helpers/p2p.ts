import { randomBytes } from "node:crypto";
import { getPublicKey } from "../../src/core/crypto/index.js";
import { createTransport, type Transport, type TransportOptions } from "../../src/node/p2p/transport.js";
import { connectRawPeer, type RawPeer } from "./raw-peer.js";

/** Real transports on 127.0.0.1 for in-process p2p tests, and a swarm of raw sybil peers against them. */
export const silent = { debug() {}, info() {}, warn() {} };
export const GENESIS = new Uint8Array(32).fill(1);
export const CHAIN_ID = "test-chain";

export interface TestTransport {
  t: Transport;
  secretKey: Uint8Array;
  got: { from: string; type: number; payload: Uint8Array }[];
}

const running = new Set<Transport>();

/** Starts a transport with test defaults (any option can be overridden); stop it with `stopAll`. */
export async function startTransport(
  o: Partial<TransportOptions> & { secretKey?: Uint8Array } = {},
): Promise<TestTransport> {
  const secretKey = o.secretKey ?? randomBytes(32);
  const got: TestTransport["got"] = [];
  const t = createTransport({
    chainId: CHAIN_ID,
    genesisHash: GENESIS,
    moniker: "n",
    listen: "127.0.0.1:0",
    peers: [],
    maxPeers: 10,
    maxFrameBytes: 1 << 20,
    maxMessagesPerSecond: 1000,
    banSeconds: 60,
    peerExchange: false,
    logger: silent,
    onMessage: (p, type, payload) => got.push({ from: p.id, type, payload }),
    ...o,
    nodeKey: { secretKey, publicKey: getPublicKey(secretKey) },
  });
  await t.start();
  running.add(t);
  return { t, secretKey, got };
}

export async function stopTransport(t: Transport): Promise<void> {
  running.delete(t);
  await t.stop();
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((t) => stopTransport(t)));
}

/**
 * Sybils: keeps up to `size` raw peers, each with a fresh node key, connected to `url`, and opens a new one
 * whenever one is closed, as an attacker holding a node's slots would. `stop()` closes them all.
 */
export function sybilSwarm(
  url: string,
  size: number,
  o: { chainId?: string; genesisHash?: Uint8Array; retryMs?: number } = {},
) {
  const retry = o.retryMs ?? 50;
  const live = new Set<RawPeer>();
  let stopped = false;
  let pending = 0;
  let accepted = 0;
  const top = () => {
    while (!stopped && live.size + pending < size) {
      pending++;
      connectRawPeer(url, { chainId: o.chainId ?? CHAIN_ID, genesisHash: o.genesisHash ?? GENESIS }, 5000)
        .then((p) => {
          pending--;
          if (stopped) return p.close();
          accepted++;
          live.add(p);
          void p.closed.then(() => {
            live.delete(p);
            setTimeout(top, retry / 2);
          });
        })
        .catch(() => {
          pending--;
          setTimeout(top, retry);
        });
    }
  };
  top();
  return {
    /** Sybils currently connected (handshake done, not closed). */
    live: () => [...live].filter((p) => p.isOpen()).length,
    /** Handshakes completed so far. */
    accepted: () => accepted,
    stop() {
      stopped = true;
      for (const p of live) p.close();
    },
  };
}
