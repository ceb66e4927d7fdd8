import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { decode, encode } from "../../src/core/codec/index.js";
import { getPublicKey } from "../../src/core/crypto/index.js";
import {
  AuthCodec,
  HelloCodec,
  nodeIdOf,
  P2P_VERSION,
  signAuth,
  signValidatorAuth,
  verifyAuth,
} from "../../src/node/p2p/handshake.js";
import { createEphemeral, deriveLinkKeys, type LinkKeys } from "../../src/node/p2p/secure-link.js";
import { FRAME } from "../../src/node/p2p/transport.js";

/**
 * A raw p2p peer for attack tests: a bare ws client that does the real handshake (DESIGN.md §5) with its
 * own node key and the encrypted link (secure-link.ts), then sends whatever frames the test wants. It
 * answers pings (ws does) and records what the node sends it; nothing else — no consensus, no gossip.
 */
export interface RawPeer {
  ws: WebSocket;
  nodeId: string;
  /** App frames received after the handshake. */
  frames: { type: number; payload: Uint8Array }[];
  /** Resolves when the node closes the connection (or it fails). */
  closed: Promise<void>;
  isOpen(): boolean;
  /** Seals `type ‖ payload` with the link's next counter and sends it. */
  send(type: number, payload: Uint8Array): void;
  /** Sends bytes as they are (no sealing): for replayed, tampered or garbage ciphertext. */
  sendRaw(bytes: Uint8Array): void;
  /** Seals a frame (advancing the send counter) without sending it. */
  seal(type: number, payload: Uint8Array): Buffer;
  /** Every sealed frame sent so far, in order (to replay them). */
  sent: Buffer[];
  close(): void;
}

export interface RawPeerOptions {
  chainId: string;
  genesisHash: Uint8Array;
  secretKey?: Uint8Array;
  /** What the Hello claims as this peer's listen URL ("" by default). */
  listenUrl?: string;
  moniker?: string;
  /** A validator key to prove in the handshake (`forgeValidatorProof` signs the proof with another key). */
  validatorSecretKey?: Uint8Array;
  forgeValidatorProof?: boolean;
  /** Sends an auth signed by another key (a failed handshake). */
  forgeAuth?: boolean;
  /** Claims this ephemeral key in the Hello instead of the real one (e.g. a low-order point). */
  ephemeralKey?: Uint8Array;
  /** Sends these bytes as the Hello and Auth (replaying another connection's handshake). */
  replayHello?: Uint8Array;
  replayAuth?: Uint8Array;
  /** Called with the Hello and Auth frames this peer sent (to replay them later). */
  onHandshakeFrames?: (hello: Uint8Array, auth: Uint8Array) => void;
}

const frame = (type: number, payload: Uint8Array) => {
  const out = new Uint8Array(payload.length + 1);
  out[0] = type;
  out.set(payload, 1);
  return out;
};

/**
 * Connects to `url` (`ws://host:port`) as the initiator and completes the handshake. Resolves once the
 * node's auth has verified (the node then decides whether to keep the peer); rejects if the node closes
 * the connection first or does not answer within `timeoutMs`.
 */
export function connectRawPeer(url: string, o: RawPeerOptions, timeoutMs = 10_000): Promise<RawPeer> {
  const secretKey = o.secretKey ?? randomBytes(32);
  const publicKey = getPublicKey(secretKey);
  const nonce = randomBytes(32);
  const ephemeral = createEphemeral();
  let link: LinkKeys | undefined;
  let helloSent: Uint8Array = new Uint8Array();
  const sent: Buffer[] = [];
  const validator = o.validatorSecretKey
    ? { secretKey: o.validatorSecretKey, publicKey: getPublicKey(o.validatorSecretKey) }
    : undefined;
  const ws = new WebSocket(`${url}/p2p`, { perMessageDeflate: false, maxPayload: 64 << 20 });
  const frames: RawPeer["frames"] = [];
  let open = false;
  const closed = new Promise<void>((resolve) => {
    ws.once("close", () => {
      open = false;
      resolve();
    });
    ws.once("error", () => resolve());
  });
  const peer: RawPeer = {
    ws,
    nodeId: nodeIdOf(publicKey),
    frames,
    closed,
    isOpen: () => open && ws.readyState === WebSocket.OPEN,
    send: (type, payload) => {
      if (ws.readyState !== WebSocket.OPEN || !link) return;
      const sealed = link.send.seal(frame(type, payload));
      sent.push(sealed);
      ws.send(sealed);
    },
    sendRaw: (bytes) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
    },
    seal: (type, payload) => (link as LinkKeys).send.seal(frame(type, payload)),
    sent,
    close: () => ws.terminate(),
  };
  return new Promise<RawPeer>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("raw peer: handshake timed out"));
    }, timeoutMs);
    let remoteNonce: Uint8Array | undefined;
    let remoteKey: Uint8Array | undefined;
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error("raw peer: closed during the handshake"));
    });
    ws.once("open", () => {
      open = true;
      helloSent =
        o.replayHello ??
        frame(
          FRAME.hello,
          encode(HelloCodec, {
            version: P2P_VERSION,
            genesisHash: o.genesisHash,
            nodeKey: publicKey,
            nonce,
            ephemeralKey: o.ephemeralKey ?? ephemeral.publicKey,
            listenUrl: o.listenUrl ?? "",
            moniker: o.moniker ?? "raw",
            validatorKey: validator?.publicKey ?? null,
          }),
        );
      ws.send(helloSent);
    });
    let remoteEphemeral: Uint8Array | undefined;
    let established = false;
    ws.on("message", (data: Buffer) => {
      if (established) {
        let plain: Uint8Array;
        try {
          plain = (link as LinkKeys).recv.open(data);
        } catch {
          ws.terminate();
          return;
        }
        frames.push({ type: plain[0] as number, payload: new Uint8Array(plain.subarray(1)) });
        return;
      }
      const type = data[0] as number;
      const payload = new Uint8Array(data.subarray(1));
      if (type === FRAME.hello && !remoteNonce) {
        const hello = decode(HelloCodec, payload);
        remoteNonce = hello.nonce;
        remoteKey = hello.nodeKey;
        remoteEphemeral = hello.ephemeralKey;
        const input = auth(o, nonce, remoteNonce, o.ephemeralKey ?? ephemeral.publicKey, remoteEphemeral);
        const prover =
          o.forgeValidatorProof && validator ? { ...validator, secretKey: randomBytes(32) } : validator;
        const authFrame =
          o.replayAuth ??
          frame(
            FRAME.auth,
            encode(AuthCodec, {
              signature: signAuth(input, o.forgeAuth ? randomBytes(32) : secretKey, publicKey),
              validatorSignature: prover ? signValidatorAuth(input, publicKey, prover) : null,
            }),
          );
        ws.send(authFrame);
        o.onHandshakeFrames?.(helloSent, authFrame);
        if (!o.ephemeralKey)
          link = deriveLinkKeys(ephemeral, false, {
            ...input,
            initiatorNodeKey: publicKey,
            responderNodeKey: hello.nodeKey,
          });
        return;
      }
      if (type === FRAME.auth && remoteNonce && remoteKey && remoteEphemeral) {
        const { signature } = decode(AuthCodec, payload);
        const input = auth(o, nonce, remoteNonce, o.ephemeralKey ?? ephemeral.publicKey, remoteEphemeral);
        // A replayed Hello carries another connection's nonce: the node's Auth cannot verify here.
        if (!o.replayHello && !verifyAuth(input, remoteKey, signature)) {
          ws.terminate();
          return reject(new Error("raw peer: the node's handshake signature does not verify"));
        }
        established = true;
        clearTimeout(timer);
        return resolve(peer);
      }
      frames.push({ type, payload });
    });
  });
}

function auth(
  o: RawPeerOptions,
  initiatorNonce: Uint8Array,
  responderNonce: Uint8Array,
  initiatorEphemeral: Uint8Array,
  responderEphemeral: Uint8Array,
) {
  return {
    chainId: o.chainId,
    genesisHash: o.genesisHash,
    initiatorNonce,
    responderNonce,
    initiatorEphemeral,
    responderEphemeral,
  };
}

/** Polls `cond` every 25 ms until it holds, failing after `ms` with `what`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 30_000, what = "condition") {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
