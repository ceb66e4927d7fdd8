import { bytesEqual, decode, encode } from "../../core/codec/index.js";
import { isValidPublicKey } from "../../core/crypto/index.js";
import {
  AuthCodec,
  type AuthInput,
  type Hello,
  HelloCodec,
  nodeIdOf,
  P2P_VERSION,
  signAuth,
  signValidatorAuth,
  verifyAuth,
  verifyValidatorAuth,
} from "./handshake.js";
import { STRIKES_PER_HANDSHAKE_FAILURE as STRIKE } from "./ip-guard.js";
import { deriveLinkKeys, type Ephemeral, LinkError, type LinkKeys } from "./secure-link.js";

/**
 * The handshake of one connection as steps (DESIGN.md §5, handshake.ts for the messages): each frame
 * received before the peer is established gives a reply to send, a reason to drop (with IP strikes for
 * what only an attacker does), or the verified Hello. The transport owns the connection; this owns the
 * order of checks, cheapest first, so a refused stranger costs no signature.
 */
export const FRAME = { hello: 1, auth: 2, peers: 3 } as const;

export interface HandshakeRules {
  chainId: string;
  genesisHash: Uint8Array;
  nodeKey: { secretKey: Uint8Array; publicKey: Uint8Array };
  validatorKey?: { secretKey: Uint8Array; publicKey: Uint8Array } | null | undefined;
  isValidator?: ((publicKey: Uint8Array) => boolean) | undefined;
}

export interface HandshakeState {
  inbound: boolean;
  nonce: Uint8Array;
  /** This connection's ephemeral X25519 key (secure-link.ts). */
  ephemeral: Ephemeral;
  hello?: Hello;
}

export type HandshakeStep =
  /** `link`: the keys of the encrypted link; every frame sent after `auth` is sealed with `link.send`. */
  | { step: "reply"; hello: Hello; auth: Uint8Array; link: LinkKeys }
  | { step: "drop"; reason: string; strikes: number }
  /** `validator`: the peer proved a key that `isValidator` accepts. */
  | { step: "done"; hello: Hello; id: string; validator: boolean };

/** The Hello this node sends first on every connection. */
export function helloPayload(
  r: HandshakeRules,
  s: HandshakeState,
  listenUrl: string,
  moniker: string,
): Uint8Array {
  return encode(HelloCodec, {
    version: P2P_VERSION,
    genesisHash: r.genesisHash,
    nodeKey: r.nodeKey.publicKey,
    nonce: s.nonce,
    ephemeralKey: s.ephemeral.publicKey,
    listenUrl,
    moniker: moniker.slice(0, 64),
    validatorKey: r.validatorKey?.publicKey ?? null,
  });
}

const drop = (reason: string, strikes = 0): HandshakeStep => ({ step: "drop", reason, strikes });

/**
 * The next step after frame `type` arrives on a connection not yet established. `refuse` says why a peer
 * with this id and Hello is refused before this node signs anything (banned, no slot), or null.
 * @throws CodecError on a malformed frame.
 */
export function handshakeStep(
  r: HandshakeRules,
  s: HandshakeState,
  type: number,
  payload: Uint8Array,
  refuse: (id: string, hello: Hello) => string | null,
): HandshakeStep {
  const input = (peer: Hello): AuthInput => ({
    chainId: r.chainId,
    genesisHash: r.genesisHash,
    initiatorNonce: s.inbound ? peer.nonce : s.nonce,
    responderNonce: s.inbound ? s.nonce : peer.nonce,
    initiatorEphemeral: s.inbound ? peer.ephemeralKey : s.ephemeral.publicKey,
    responderEphemeral: s.inbound ? s.ephemeral.publicKey : peer.ephemeralKey,
  });
  if (type === FRAME.hello && !s.hello) {
    const hello = decode(HelloCodec, payload);
    if (hello.version !== P2P_VERSION) return drop(`p2p version ${hello.version}`);
    if (!bytesEqual(hello.genesisHash, r.genesisHash)) return drop("different genesis / chain");
    if (!isValidPublicKey(hello.nodeKey)) return drop("invalid node key", STRIKE);
    const refused = refuse(nodeIdOf(hello.nodeKey), hello);
    if (refused) return drop(refused);
    const auth = input(hello);
    let link: LinkKeys;
    try {
      link = deriveLinkKeys(s.ephemeral, s.inbound, {
        ...auth,
        initiatorNodeKey: s.inbound ? hello.nodeKey : r.nodeKey.publicKey,
        responderNodeKey: s.inbound ? r.nodeKey.publicKey : hello.nodeKey,
      });
    } catch (err) {
      if (err instanceof LinkError) return drop("invalid ephemeral key", STRIKE);
      throw err;
    }
    const signature = signAuth(auth, r.nodeKey.secretKey, r.nodeKey.publicKey);
    const validatorSignature = r.validatorKey
      ? signValidatorAuth(auth, r.nodeKey.publicKey, r.validatorKey)
      : null;
    const authBytes = encode(AuthCodec, { signature, validatorSignature });
    return { step: "reply", hello, auth: authBytes, link };
  }
  if (type === FRAME.auth && s.hello) {
    const hello = s.hello;
    const { signature, validatorSignature } = decode(AuthCodec, payload);
    const auth = input(hello);
    if (!verifyAuth(auth, hello.nodeKey, signature)) return drop("bad handshake signature", STRIKE);
    // PERF: the validator proof is checked only when it would matter (the key is in the current set).
    const claimed = hello.validatorKey !== null && (r.isValidator?.(hello.validatorKey) ?? false);
    if (
      claimed &&
      !(
        validatorSignature &&
        verifyValidatorAuth(auth, hello.nodeKey, hello.validatorKey as Uint8Array, validatorSignature)
      )
    )
      return drop("bad validator proof", STRIKE);
    return { step: "done", hello, id: nodeIdOf(hello.nodeKey), validator: claimed };
  }
  return drop(`frame ${type} before handshake`, STRIKE);
}
