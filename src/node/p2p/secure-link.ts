import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
} from "node:crypto";
import { FastposError } from "../../core/errors.js";

/**
 * The encrypted, authenticated p2p link (docs/network-protocol.md "Encryption"). Each connection makes a
 * fresh X25519 key pair; the public half travels in the Hello and both halves are covered by each side's
 * handshake signature (handshake.ts), so the shared secret is bound to both node keys and a man in the
 * middle cannot substitute his own. HKDF-SHA256 over that secret gives one AES-256-GCM key per direction;
 * every frame after a side's Auth is sealed under the next value of a 64-bit counter (the nonce, never
 * sent). A replayed, reordered, dropped-then-resent or altered frame therefore fails the tag check and the
 * link is closed. Only node:crypto primitives are used (X25519, HKDF, AES-GCM); nothing is invented.
 *
 * NOTE: this sits below the message layer: app frames (`type ‖ payload`) are sealed whole, so new message
 * types need nothing here.
 */

/** Bytes the AES-GCM tag adds to each frame. */
export const LINK_TAG_BYTES = 16;
const ALG = "aes-256-gcm";
const INFO = "fastpos/p2p-link/v3";
/** DER prefix of an X25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32 raw key bytes. */
const X25519_SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

export type LinkErrorType =
  | { code: "LINK_BAD_KEY" }
  | { code: "LINK_BAD_FRAME"; counter: number }
  | { code: "LINK_COUNTER_EXHAUSTED" };

/** A frame that does not open under the expected key and counter, or a bad ephemeral key. */
export class LinkError extends FastposError<LinkErrorType> {}

/** A connection's ephemeral X25519 key pair (the public key as its 32 raw bytes). */
export interface Ephemeral {
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

/** A fresh ephemeral key pair: one per connection, never reused, never stored. */
export function createEphemeral(): Ephemeral {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const der = publicKey.export({ type: "spki", format: "der" });
  return { privateKey, publicKey: new Uint8Array(der.subarray(der.length - 32)) };
}

/** What both sides feed the key derivation: the handshake transcript (Hello fields of both sides). */
export interface LinkTranscript {
  genesisHash: Uint8Array;
  initiatorNodeKey: Uint8Array;
  responderNodeKey: Uint8Array;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
  initiatorEphemeral: Uint8Array;
  responderEphemeral: Uint8Array;
}

/** One direction of a link: seals (or opens) frames in order under a per-frame counter nonce. */
export interface FrameCipher {
  /** Frames sealed/opened so far (the next counter). */
  readonly counter: number;
  seal(plain: Uint8Array): Buffer;
  /** @throws LinkError when the frame is not the next authentic frame. */
  open(sealed: Uint8Array): Uint8Array;
}

/** Both directions of a link as one side sees them. */
export interface LinkKeys {
  send: FrameCipher;
  recv: FrameCipher;
}

/**
 * Derives the link keys. `inbound`: this side is the responder. SECURITY: X25519 with a low-order peer
 * key gives an all-zero secret (OpenSSL refuses it; checked here too), which would make the keys public.
 * @throws LinkError LINK_BAD_KEY on a peer ephemeral key that is not a usable X25519 public key.
 */
export function deriveLinkKeys(own: Ephemeral, inbound: boolean, t: LinkTranscript): LinkKeys {
  const peerRaw = inbound ? t.initiatorEphemeral : t.responderEphemeral;
  let shared: Buffer;
  try {
    const peer = createPublicKey({
      key: Buffer.concat([X25519_SPKI_PREFIX, peerRaw]),
      format: "der",
      type: "spki",
    });
    shared = diffieHellman({ privateKey: own.privateKey, publicKey: peer });
  } catch (cause) {
    throw new LinkError({ code: "LINK_BAD_KEY" }, "peer ephemeral key rejected", { cause });
  }
  if (shared.every((b) => b === 0)) throw new LinkError({ code: "LINK_BAD_KEY" }, "all-zero X25519 secret");
  const info = Buffer.concat([
    Buffer.from(INFO),
    t.initiatorNodeKey,
    t.responderNodeKey,
    t.initiatorNonce,
    t.responderNonce,
    t.initiatorEphemeral,
    t.responderEphemeral,
  ]);
  const okm = Buffer.from(hkdfSync("sha256", shared, t.genesisHash, info, 64));
  const i2r = okm.subarray(0, 32);
  const r2i = okm.subarray(32, 64);
  return inbound
    ? { send: frameCipher(r2i), recv: frameCipher(i2r) }
    : { send: frameCipher(i2r), recv: frameCipher(r2i) };
}

function nonceOf(counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(Math.floor(counter / 2 ** 32), 4);
  n.writeUInt32BE(counter >>> 0, 8);
  return n;
}

/** One direction's cipher; the counter starts at 0 and only ever goes up by one per frame. */
function frameCipher(key: Buffer): FrameCipher {
  let counter = 0;
  const next = () => {
    if (counter >= Number.MAX_SAFE_INTEGER)
      throw new LinkError({ code: "LINK_COUNTER_EXHAUSTED" }, "link counter exhausted");
    return nonceOf(counter++);
  };
  return {
    get counter() {
      return counter;
    },
    seal(plain) {
      const c = createCipheriv(ALG, key, next(), { authTagLength: LINK_TAG_BYTES });
      const head = c.update(plain);
      const tail = c.final();
      return Buffer.concat([head, tail, c.getAuthTag()]);
    },
    open(sealed) {
      const at = counter;
      if (sealed.length < LINK_TAG_BYTES + 1)
        throw new LinkError({ code: "LINK_BAD_FRAME", counter: at }, "sealed frame too short");
      const d = createDecipheriv(ALG, key, nonceOf(at), { authTagLength: LINK_TAG_BYTES });
      d.setAuthTag(sealed.subarray(sealed.length - LINK_TAG_BYTES));
      const body = d.update(sealed.subarray(0, sealed.length - LINK_TAG_BYTES));
      try {
        const tail = d.final();
        counter++;
        return tail.length ? Buffer.concat([body, tail]) : body;
      } catch {
        throw new LinkError({ code: "LINK_BAD_FRAME", counter: at }, `frame ${at} fails authentication`);
      }
    },
  };
}
