import {
  encode,
  fixedBytes,
  option,
  string,
  struct,
  u16,
  type ValueOf,
  vector,
} from "../../core/codec/index.js";
import { addressBytes, sign, signBytes, verify } from "../../core/crypto/index.js";

/**
 * P2P handshake (DESIGN.md §5). Each side sends `Hello` with a fresh 32-byte nonce and ephemeral X25519
 * key; then each proves possession of its node identity key by signing `(genesisHash, initiator nonce,
 * responder nonce, initiator ephemeral, responder ephemeral, its own public key)` under the `handshake` domain tag, which also binds the chain id. Both nonces are fresh, so an
 * auth cannot be replayed on another connection; chain id and genesis hash stop cross-network connections.
 *
 * A validator may also prove its consensus key: its Hello names the key and its Auth carries a second
 * signature, by that key, over the same nonces and the node key (so the proof is bound to this connection
 * and this node identity). The receiver gives a proven validator of the current set a reserved peer slot.
 * Version 2 added that proof. Version 3 added the ephemeral X25519 key of the encrypted link
 * (secure-link.ts): both sides' ephemeral keys are inside every handshake signature, so the link keys are
 * bound to both node identities. Version 4 added the `links` frame (relay only where needed:
 * relay-links.ts); a version-3 node would ban a peer for sending it.
 */
export const P2P_VERSION = 4;

export const HelloCodec = struct({
  version: u16,
  genesisHash: fixedBytes(32),
  nodeKey: fixedBytes(32),
  nonce: fixedBytes(32),
  /** This connection's ephemeral X25519 public key (secure-link.ts). */
  ephemeralKey: fixedBytes(32),
  /** Where this node accepts connections (`ws://host:port`), "" if nowhere: used by peer exchange. */
  listenUrl: string(256),
  moniker: string(64),
  /** The validator consensus key this node proves in its Auth, or null for none. */
  validatorKey: option(fixedBytes(32)),
});
export type Hello = ValueOf<typeof HelloCodec>;

export const AuthCodec = struct({
  signature: fixedBytes(64),
  /** By the Hello's validator key (present exactly when the Hello names one). */
  validatorSignature: option(fixedBytes(64)),
});

/** Peer exchange: listen URLs of peers a node is connected to. */
export const PeersCodec = struct({ urls: vector(string(256), 64) });

const AuthMessageCodec = struct({
  genesisHash: fixedBytes(32),
  initiatorNonce: fixedBytes(32),
  responderNonce: fixedBytes(32),
  initiatorEphemeral: fixedBytes(32),
  responderEphemeral: fixedBytes(32),
  signer: fixedBytes(32),
});

/** What a validator's key signs in the handshake: longer than AuthMessage, so the two never collide. */
const ValidatorAuthMessageCodec = struct({
  genesisHash: fixedBytes(32),
  initiatorNonce: fixedBytes(32),
  responderNonce: fixedBytes(32),
  initiatorEphemeral: fixedBytes(32),
  responderEphemeral: fixedBytes(32),
  nodeKey: fixedBytes(32),
  validatorKey: fixedBytes(32),
});

/** What one side signs in the handshake. */
export interface AuthInput {
  chainId: string;
  genesisHash: Uint8Array;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
  initiatorEphemeral: Uint8Array;
  responderEphemeral: Uint8Array;
}

function authBytes(a: AuthInput, signer: Uint8Array): Uint8Array {
  const msg = encode(AuthMessageCodec, {
    genesisHash: a.genesisHash,
    initiatorNonce: a.initiatorNonce,
    responderNonce: a.responderNonce,
    initiatorEphemeral: a.initiatorEphemeral,
    responderEphemeral: a.responderEphemeral,
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

function validatorAuthBytes(a: AuthInput, nodeKey: Uint8Array, validatorKey: Uint8Array): Uint8Array {
  const msg = encode(ValidatorAuthMessageCodec, {
    genesisHash: a.genesisHash,
    initiatorNonce: a.initiatorNonce,
    responderNonce: a.responderNonce,
    initiatorEphemeral: a.initiatorEphemeral,
    responderEphemeral: a.responderEphemeral,
    nodeKey,
    validatorKey,
  });
  return signBytes("handshake", a.chainId, msg);
}

/**
 * Proves, on this connection, that the node with `nodeKey` holds a validator key. SECURITY: the handshake
 * domain and a message no vote or proposal can have, so this signature can never count as consensus.
 */
export function signValidatorAuth(
  a: AuthInput,
  nodeKey: Uint8Array,
  validator: { secretKey: Uint8Array; publicKey: Uint8Array },
): Uint8Array {
  return sign(validator.secretKey, validatorAuthBytes(a, nodeKey, validator.publicKey));
}

/** Checks a peer's validator proof with the one verification function. */
export function verifyValidatorAuth(
  a: AuthInput,
  nodeKey: Uint8Array,
  validatorKey: Uint8Array,
  signature: Uint8Array,
): boolean {
  return verify(validatorKey, validatorAuthBytes(a, nodeKey, validatorKey), signature);
}

/** A node's id: hex of the first 20 bytes of SHA-256(node public key). */
export function nodeIdOf(nodeKey: Uint8Array): string {
  return Buffer.from(addressBytes(nodeKey)).toString("hex");
}
