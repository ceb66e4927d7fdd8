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
