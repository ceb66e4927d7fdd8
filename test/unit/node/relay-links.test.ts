import { describe, expect, it } from "vitest";
import { bytesToString, fromHex, toHex } from "../../../src/core/codec/index.js";
import { createRelayLinks, type LinksMessage } from "../../../src/node/relay-links.js";

/** A validator address as the transport names it (0x-hex), and its bytes. */
const hex = (b: number) => toHex(new Uint8Array(20).fill(b));
const bytes = (h: string) => fromHex(h);
/** Node ids (bare hex, as the transport names peers). */
const id = (b: number) => Buffer.alloc(20, b).toString("hex");
const SELF = id(0xee);
const pA = id(0xa1);
const pB = id(0xa2);
const pX = id(0xa9);

/** One node's relay links with a hand-moved clock and a fault table; what it sends is recorded. */
function node(silenceMs = 1000) {
  let now = 0;
  const faults = new Set<string>();
  const sent: { to: string | null; m: LinksMessage }[] = [];
  const links = createRelayLinks({
    nodeId: SELF,
    now: () => now,
    silenceMs,
    impaired: (id) => faults.has(id),
    sendLinks: (to, m) => sent.push({ to, m }),
  });
  const last = () => {
    const m = sent.at(-1)?.m as LinksMessage;
    return { linked: m.linked.map(toHex), impaired: m.impaired.map((b) => bytesToString(b, "hex")) };
  };
  return {
    links,
    faults,
    sent,
    last,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe("relay links", () => {
  it("lists a validator peer only once the peer says its side toward this node is clean", () => {
    const n = node();
    n.links.connected(pA, hex(1));
    expect(n.sent.at(-1)?.to).toBe(pA); // the new peer gets the advert at once
    expect(n.last().linked).toEqual([]);
    n.links.onLinks(pA, { linked: [], impaired: [bytes(SELF)] });
    expect(n.links.linked()).toEqual([]);
    n.links.onLinks(pA, { linked: [], impaired: [] });
    const sent = n.sent.length;
    expect(n.links.linked()).toEqual([hex(1)]);
    expect(n.sent.length).toBe(sent); // a peer's frame never makes this node send at once
    n.links.tick();
    expect(n.sent.at(-1)?.to).toBeNull(); // the tick sends the advert to every peer
    expect(n.last().linked).toEqual([hex(1)]);
  });

  it("never lists a peer that proved no validator key, whatever it claims", () => {
    const n = node();
    n.links.connected(pX, null);
    n.links.onLinks(pX, { linked: [bytes(hex(1)), bytes(hex(2))], impaired: [] });
    n.links.tick();
    expect(n.last().linked).toEqual([]);
    // Its own claim only spares it relays of those signers.
    expect(n.links.skip(pX, hex(1))).toBe(true);
    expect(n.links.skip(pX, hex(3))).toBe(false);
  });

  it("skips a peer for its own messages and for signers it hears first-hand, nothing else", () => {
    const n = node();
    n.links.connected(pA, hex(1));
    expect(n.links.skip(pA, hex(1))).toBe(true);
    expect(n.links.skip(pA, hex(2))).toBe(false);
    n.links.onLinks(pA, { linked: [bytes(hex(2))], impaired: [] });
    expect(n.links.skip(pA, hex(2))).toBe(true);
    expect(n.links.skip("unknown", hex(2))).toBe(false);
  });

  it("a silent link stops counting at the next tick and counts again once frames arrive", () => {
    const n = node(1000);
    n.links.connected(pA, hex(1));
    n.links.onLinks(pA, { linked: [], impaired: [] });
    n.advance(900);
    n.links.tick();
    expect(n.last().linked).toEqual([hex(1)]);
    n.advance(200); // 1,100 ms since anything arrived
    n.links.tick();
    expect(n.last().linked).toEqual([]);
    n.links.heard(pA);
    n.links.tick();
    expect(n.last().linked).toEqual([hex(1)]);
  });

  it("a fault that loses frames takes the link out and names the peer as impaired", () => {
    const n = node();
    n.links.connected(pA, hex(1));
    n.links.connected(pB, hex(2));
    n.links.onLinks(pA, { linked: [], impaired: [] });
    n.links.onLinks(pB, { linked: [], impaired: [] });
    n.links.tick();
    expect(n.last().linked).toEqual([hex(1), hex(2)]);
    n.faults.add(pB);
    n.links.tick();
    expect(n.last()).toEqual({ linked: [hex(1)], impaired: [pB] });
  });

  it("a peer that stops listing a signer is owed that signer's held messages once, at the next tick", () => {
    const n = node();
    n.links.connected(pA, hex(1));
    n.links.onLinks(pA, { linked: [bytes(hex(2)), bytes(hex(3))], impaired: [] });
    expect(n.links.tick().size).toBe(0);
    n.links.onLinks(pA, { linked: [bytes(hex(3))], impaired: [] });
    expect(n.links.skip(pA, hex(2))).toBe(false);
    expect([...n.links.tick()]).toEqual([[pA, [hex(2)]]]);
    expect(n.links.tick().size).toBe(0);
    // Listed again before the tick: nothing is owed.
    n.links.onLinks(pA, { linked: [], impaired: [] });
    n.links.onLinks(pA, { linked: [bytes(hex(3))], impaired: [] });
    expect(n.links.tick().size).toBe(0);
  });

  it("a disconnected validator leaves the advert at once; every tick re-sends it", () => {
    const n = node();
    n.links.connected(pA, hex(1));
    n.links.onLinks(pA, { linked: [], impaired: [] });
    n.links.tick();
    const before = n.sent.length;
    n.links.tick();
    n.links.tick();
    expect(n.sent.length).toBe(before + 2);
    n.links.disconnected(pA);
    expect(n.last().linked).toEqual([]);
  });
});
