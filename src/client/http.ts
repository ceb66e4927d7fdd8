/**
 * HTTP plumbing of the client SDK: JSON in and out, the node's `{error: {code, message, data}}` turned into
 * a typed `ClientError` with the node's own code (e.g. TX_BAD_NONCE), and connection failures into
 * `NODE_UNREACHABLE` so the CLI can exit 4 (DESIGN.md §6).
 *
 * PERF (issue 22 items 3 and 4): node:http with a keep-alive agent, not fetch. fetch loads undici on first
 * use (≈30–50 ms of every CLI command that talks to a node) and answered a loopback request in ≈0.7 ms at
 * the median and 4–5 ms at p90 here, node:http in ≈0.2 / 0.5 ms; a send + wait is several requests.
 */
import { Agent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import type { ApiErrorBody } from "../core/api/contract.js";
import { type ErrorType, FastposError } from "../core/errors.js";

/**
 * A failed call: the node's error code (or NODE_UNREACHABLE, BAD_RESPONSE, HTTP_<status>, TIMEOUT), the
 * HTTP status when there was one, the URL, and the fields of the node's `error.data`.
 */
export type ClientErrorType = ErrorType & { status?: number; url: string };
export class ClientError extends FastposError<ClientErrorType> {}

export interface HttpOptions {
  /** Per-request timeout (default 10 s), retries included. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * Idle sockets to a node are kept for the next request. The agent unrefs idle sockets, so they never keep
 * a CLI process alive; the node closes them after its 5 s keep-alive timeout, and a read that meets such a
 * socket as it closes is retried below.
 */
const agents = new Map<string, Agent>();
async function agentFor(protocol: string): Promise<Agent> {
  let a = agents.get(protocol);
  if (!a) {
    // node:https (and TLS with it) only loads for an https:// node.
    a =
      protocol === "https:"
        ? new (await import("node:https")).Agent({ keepAlive: true })
        : new Agent({ keepAlive: true });
    agents.set(protocol, a);
  }
  return a;
}

class TimedOut extends Error {
  override name = "TimeoutError";
}

/** One exchange; resolves with the status and body text, rejects on a socket error or `signal`. */
async function exchange(
  url: URL,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  const send: typeof httpRequest =
    url.protocol === "https:" ? (await import("node:https")).request : httpRequest;
  const options: RequestOptions = { method, headers, agent: await agentFor(url.protocol), signal };
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("response aborted")));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function request<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  opts: HttpOptions = {},
): Promise<T> {
  const url = `${baseUrl.replace(/\/$/, "")}${path}`;
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error(target.protocol);
  } catch (err) {
    throw new ClientError({ code: "NODE_UNREACHABLE", url }, `cannot reach the node at ${baseUrl}`, {
      cause: err,
    });
  }
  const payload = body !== undefined ? JSON.stringify(body) : undefined;
  const headers: Record<string, string> = {
    ...(payload !== undefined
      ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
      : {}),
    ...opts.headers,
  };
  // NOTE: a ref'd timer, not AbortSignal.timeout (unref'd): a connection a proxy accepts and then drops
  // (docker-proxy before the container listens) must still end in a timeout, never in a process that
  // exits 13 ("unsettled top-level await") with the request pending.
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new TimedOut("timed out")), opts.timeoutMs ?? 10_000);
  // Reads are retried when the connection fails under them (issue 22 item 7): a pooled keep-alive socket
  // the node closed at its idle timeout, or a reset under load, says nothing about the node being down.
  // Writes are never retried here — the caller decides whether sending again is safe.
  const attempts = method === "GET" || method === "HEAD" ? 3 : 1;
  let res: { status: number; text: string } | undefined;
  try {
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await exchange(target, method, payload, headers, ctl.signal);
      } catch (err) {
        const timedOut = ctl.signal.aborted;
        if (!timedOut && attempt < attempts) {
          await new Promise((r) => setTimeout(r, 25 * attempt));
          continue;
        }
        throw new ClientError(
          { code: "NODE_UNREACHABLE", url },
          timedOut ? `node at ${baseUrl} did not answer in time` : `cannot reach the node at ${baseUrl}`,
          { cause: timedOut ? ctl.signal.reason : err },
        );
      }
    }
  } finally {
    clearTimeout(timer);
  }
  let json: unknown;
  try {
    json = res.text ? JSON.parse(res.text) : null;
  } catch {
    throw new ClientError(
      { code: "BAD_RESPONSE", status: res.status, url },
      `node answered with non-JSON (${res.status})`,
    );
  }
  if (res.status < 200 || res.status > 299) {
    // An error answer from a node follows ApiErrorBody; anything else (a proxy's page) falls back to HTTP_<status>.
    const e = (json as Partial<ApiErrorBody> | null)?.error;
    throw new ClientError(
      { ...(e?.data ?? {}), code: e?.code ?? `HTTP_${res.status}`, status: res.status, url },
      e?.message ?? `HTTP ${res.status}`,
    );
  }
  return json as T;
}
