import { encode, fixedBytes, string, struct, u16, type ValueOf, vector } from "../../core/codec/index.js";
import { addressBytes, sign, signBytes, verify } from "../../core/crypto/index.js";

/**
 * P2P handshake (DESIGN.md §5). Each side sends `Hello` with a fresh 32-byte nonce; then each proves
 * possession of its node identity key by signing `(genesisHash, initiator nonce, responder nonce, its own
 * public key)` under the `handshake` domain tag, which also binds the chain id. Both nonces are fresh, so an
 * auth cannot be replayed on another connection; chain id and genesis hash stop cross-network connections.
 */
export const P2P_VERSION = 1;

export const HelloCodec = struct({
  version: u16,
  genesisHash: fixedBytes(32),
  nodeKey: fixedBytes(32),
  nonce: fixedBytes(32),
  /** Where this node accepts connections (`ws://host:port`), "" if nowhere: used by peer exchange. */
  listenUrl: string(256),
  moniker: string(64),
});
export type Hello = ValueOf<typeof HelloCodec>;

export const AuthCodec = struct({ signature: fixedBytes(64) });

/** Peer exchange: listen URLs of peers a node is connected to. */
export const PeersCodec = struct({ urls: vector(string(256), 64) });

const AuthMessageCodec = struct({
  genesisHash: fixedBytes(32),
  initiatorNonce: fixedBytes(32),
  responderNonce: fixedBytes(32),
  signer: fixedBytes(32),
});

/** What one side signs in the handshake. */
export interface AuthInput {
  chainId: string;
  genesisHash: Uint8Array;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
}

function authBytes(a: AuthInput, signer: Uint8Array): Uint8Array {
  const msg = encode(AuthMessageCodec, {
    genesisHash: a.genesisHash,
    initiatorNonce: a.initiatorNonce,
    responderNonce: a.responderNonce,
    signer,
  });
  return signBytes("handshake", a.chainId, msg);
}

/** Signs the handshake with the node identity key. */
export function signAuth(a: AuthInput, secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return sign(secretKey, authBytes(a, publicKey));
}

/** Checks a peer's handshake signature with the one verification function. */
export function verifyAuth(a: AuthInput, peerKey: Uint8Array, signature: Uint8Array): boolean {
  return verify(peerKey, authBytes(a, peerKey), signature);
}

/** A node's id: hex of the first 20 bytes of SHA-256(node public key). */
export function nodeIdOf(nodeKey: Uint8Array): string {
  return Buffer.from(addressBytes(nodeKey)).toString("hex");
}
