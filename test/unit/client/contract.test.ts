import { describe, expect, expectTypeOf, it } from "vitest";
import { createClient, routePath } from "../../../src/client/client.js";
import type {
  EventJsonOf,
  EventOf,
  NodeEvent,
  NodeEventJson,
  ParamsOf,
  PublishEvent,
  ResponseOf,
  Wire,
} from "../../../src/core/api/contract.js";

/**
 * The contract's type-level rules (checked by `tsc --noEmit`, which CI runs over test/) and the client's
 * path building (checked at run time).
 */
describe("API contract types", () => {
  it("maps bigints to decimal strings on the wire and refuses raw bytes", () => {
    expectTypeOf<Wire<{ height: bigint; round: number; list: bigint[] }>>().toEqualTypeOf<{
      height: string;
      round: number;
      list: string[];
    }>();
    expectTypeOf<Wire<Uint8Array>>().toBeNever();
    expectTypeOf<Extract<NodeEvent, { type: "newBlock" }>["height"]>().toEqualTypeOf<bigint>();
    expectTypeOf<EventOf<"newBlock">>().toEqualTypeOf<Extract<NodeEvent, { type: "newBlock" }>>();
    expectTypeOf<EventJsonOf<"newBlock">["height"]>().toEqualTypeOf<string>();
    expectTypeOf<EventJsonOf<"vote">["blockHash"]>().toEqualTypeOf<string | null>();
    expectTypeOf<NodeEventJson["type"]>().toEqualTypeOf<
      "hello" | "newBlock" | "roundStep" | "vote" | "tx" | "evidence" | "slash" | "jail" | "unjail"
    >();
    // @ts-expect-error: an event type the contract does not list cannot be published
    const bad: Parameters<PublishEvent>[0] = { type: "unknown" };
    expect(bad).toBeDefined();
  });

  it("derives route params and responses from the route key", () => {
    expectTypeOf<ParamsOf<"GET /v1/txs/:hash">>().toEqualTypeOf<{ hash: string }>();
    expectTypeOf<ParamsOf<"GET /v1/status">>().toEqualTypeOf<Record<never, never>>();
    expectTypeOf<ResponseOf<"GET /v1/status">["height"]>().toEqualTypeOf<string>();
    const client = createClient("http://127.0.0.1:1");
    expectTypeOf(client.consensus).returns.resolves.toEqualTypeOf<ResponseOf<"GET /v1/consensus">>();
    expectTypeOf(client.status).returns.resolves.toEqualTypeOf<ResponseOf<"GET /v1/status">>();
  });
});

describe("routePath", () => {
  it("fills :params URI-encoded, so a param cannot reach another route", () => {
    expect(routePath("GET /v1/txs/:hash", { hash: "0xab" })).toBe("/v1/txs/0xab");
    expect(routePath("GET /v1/accounts/:address", { address: "../status?x=1" })).toBe(
      "/v1/accounts/..%2Fstatus%3Fx%3D1",
    );
    expect(routePath("GET /v1/status", {})).toBe("/v1/status");
  });
});
