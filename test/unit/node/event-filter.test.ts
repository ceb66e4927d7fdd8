import { describe, expect, it } from "vitest";
import { eventTypesFilter } from "../../../src/node/api/http.js";

describe("event stream type filter", () => {
  it("sends every event type when the subscriber names none", () => {
    expect(eventTypesFilter("/v1/events")).toBeNull();
    expect(eventTypesFilter(undefined)).toBeNull();
  });

  it("keeps only the types listed in ?types=", () => {
    const f = eventTypesFilter("/v1/events?types=newBlock,vote");
    expect(f && [...f].sort()).toEqual(["newBlock", "vote"]);
    expect([...(eventTypesFilter("/v1/events?types=") ?? ["x"])]).toEqual([]);
  });
});

describe("request target parsing (issue 24: requests must never crash a node)", () => {
  it("splits origin-form targets into path and query", async () => {
    const { parseRequestTarget } = await import("../../../src/node/api/http.js");
    const t = parseRequestTarget("/v1/events?types=vote#frag");
    expect(t?.pathname).toBe("/v1/events");
    expect(t?.query.get("types")).toBe("vote");
    expect(parseRequestTarget("http://host:1/v1/status?a=1")?.pathname).toBe("/v1/status");
    expect(parseRequestTarget("http://host")?.pathname).toBe("/");
  });

  it("never throws on targets `new URL` rejects", async () => {
    const { parseRequestTarget } = await import("../../../src/node/api/http.js");
    expect(parseRequestTarget("//")?.pathname).toBe("//");
    expect(parseRequestTarget("*")).toBeNull();
    expect(parseRequestTarget("")).toBeNull();
    expect(parseRequestTarget("/a?%E0%A4%A")?.query.toString()).toBeTypeOf("string");
    expect(eventTypesFilter("//?types=vote")).toEqual(new Set(["vote"]));
  });
});
