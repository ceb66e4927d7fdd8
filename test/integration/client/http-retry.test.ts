import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "../../../src/client/http.js";

/**
 * The client against a real HTTP server on 127.0.0.1 that drops every other connection without an answer —
 * what a node closing idle keep-alive sockets, or one reset under load, looks like (issue 22 item 7).
 */
describe("client: a dropped connection is not an unreachable node", () => {
  let server: Server;
  let url: string;
  let seen = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen++;
      if (seen % 2 === 1) return req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ n: seen }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("retries a read on a fresh connection, and never re-sends a write", async () => {
    await expect(request<{ n: number }>(url, "GET", "/v1/status")).resolves.toEqual({ n: 2 });
    await expect(request(url, "POST", "/v1/txs", { tx: "0x00" })).rejects.toMatchObject({
      code: "NODE_UNREACHABLE",
    });
    expect(seen).toBe(3); // the POST went out once
  });

  it("a node that is really down is still NODE_UNREACHABLE", async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
    await expect(request(deadUrl, "GET", "/v1/status")).rejects.toMatchObject({ code: "NODE_UNREACHABLE" });
  });
});
