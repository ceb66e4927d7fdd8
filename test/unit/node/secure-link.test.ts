import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createEphemeral,
  deriveLinkKeys,
  LINK_TAG_BYTES,
  LinkError,
  type LinkTranscript,
} from "../../../src/node/p2p/secure-link.js";

function pair() {
  const a = createEphemeral();
  const b = createEphemeral();
  const t: LinkTranscript = {
    genesisHash: randomBytes(32),
    initiatorNodeKey: randomBytes(32),
    responderNodeKey: randomBytes(32),
    initiatorNonce: randomBytes(32),
    responderNonce: randomBytes(32),
    initiatorEphemeral: a.publicKey,
    responderEphemeral: b.publicKey,
  };
  return { a, b, t, init: deriveLinkKeys(a, false, t), resp: deriveLinkKeys(b, true, t) };
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof LinkError ? err.code : `untyped: ${(err as Error).message}`;
  }
  return "no error";
};

describe("secure link (X25519 + HKDF + AES-256-GCM, counter nonces)", () => {
  it("both sides derive the same keys per direction and frames open in order", () => {
    const { init, resp } = pair();
    for (let i = 0; i < 5; i++) {
      const m = randomBytes(1 + i * 100);
      const sealed = init.send.seal(m);
      expect(sealed.length).toBe(m.length + LINK_TAG_BYTES);
      expect(Buffer.from(sealed.subarray(0, m.length)).equals(m)).toBe(false);
      expect(Buffer.from(resp.recv.open(sealed)).equals(m)).toBe(true);
      expect(Buffer.from(init.recv.open(resp.send.seal(m))).equals(m)).toBe(true);
    }
  });

  it("a replayed, reordered, tampered or reflected frame does not open", () => {
    const { init, resp } = pair();
    const f0 = init.send.seal(Buffer.from("zero"));
    const f1 = init.send.seal(Buffer.from("one"));
    expect(code(() => resp.recv.open(f1))).toBe("LINK_BAD_FRAME"); // reordered
    resp.recv.open(f0);
    expect(code(() => resp.recv.open(f0))).toBe("LINK_BAD_FRAME"); // replayed
    const bad = Buffer.from(f1);
    bad[0] = (bad[0] as number) ^ 1;
    expect(code(() => resp.recv.open(bad))).toBe("LINK_BAD_FRAME"); // tampered
    expect(code(() => init.recv.open(init.send.seal(Buffer.from("x"))))).toBe("LINK_BAD_FRAME"); // reflected
    expect(code(() => resp.recv.open(new Uint8Array(5)))).toBe("LINK_BAD_FRAME"); // short
    expect(Buffer.from(resp.recv.open(f1)).toString()).toBe("one"); // the counter did not move
  });

  it("keys differ when any transcript field differs (bound to both node keys)", () => {
    const { a, b, t, init } = pair();
    for (const k of Object.keys(t) as (keyof LinkTranscript)[]) {
      if (k === "initiatorEphemeral" || k === "responderEphemeral") continue;
      const other = deriveLinkKeys(b, true, { ...t, [k]: randomBytes(32) });
      expect(
        code(() => other.recv.open(init.send.seal(Buffer.from("m")))),
        k,
      ).toBe("LINK_BAD_FRAME");
    }
    expect(a.publicKey.length).toBe(32);
  });

  it("refuses low-order and malformed peer ephemeral keys", () => {
    const { a, t } = pair();
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    for (const key of [zero, one, new Uint8Array(31)])
      expect(code(() => deriveLinkKeys(a, false, { ...t, responderEphemeral: key }))).toBe("LINK_BAD_KEY");
  });
});
