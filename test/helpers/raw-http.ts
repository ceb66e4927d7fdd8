import { request } from "node:http";
import { connect } from "node:net";

/**
 * Sends `text` as raw bytes on a fresh TCP connection to `url`'s host and port and resolves with whatever the
 * server answered before closing (or after `timeoutMs`). For requests `fetch` refuses to send (`GET //`,
 * broken escapes, odd upgrade targets): what an attacker's socket can do.
 */
export function rawHttp(
  url: string,
  text: string,
  timeoutMs = 5_000,
  localAddress?: string,
): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(
      { host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) },
      () => socket.write(text),
    );
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (c) => {
      chunks.push(c);
      // One complete response is all these tests read.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) setTimeout(done, 50);
    });
    socket.on("error", done);
    socket.on("close", done);
  });
}

/** The status code of a raw HTTP response text, or 0 when there was none (connection closed). */
export function statusOf(response: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}

/**
 * One HTTP request with node:http (no SDK, no connection pool), optionally from another loopback source
 * address (`localAddress: "127.0.0.7"`: Linux routes all of 127/8 to lo), so a test can act as many clients.
 * Resolves with the status (0 when the request failed or timed out) and the body text.
 */
export function httpRequest(
  url: string,
  opts: {
    method?: string;
    body?: string;
    localAddress?: string;
    timeoutMs?: number;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number, text: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, text });
    };
    const req = request(
      url,
      {
        method: opts.method ?? "GET",
        agent: false,
        headers: {
          connection: "close",
          ...(opts.body !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(opts.body) }
            : {}),
          ...opts.headers,
        },
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")));
        res.on("error", () => done(0, ""));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done(0, "");
    }, opts.timeoutMs ?? 30_000);
    req.on("error", () => done(0, ""));
    req.end(opts.body);
  });
}
