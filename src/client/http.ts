/**
 * HTTP plumbing of the client SDK: JSON in and out, the node's `{error: {code, message, data}}` turned into
 * a typed `ClientError` with the node's own code (e.g. TX_BAD_NONCE), and connection failures into
 * `NODE_UNREACHABLE` so the CLI can exit 4 (DESIGN.md §6).
 */
import type { ApiErrorBody } from "../core/api/contract.js";
import { type ErrorType, FastposError } from "../core/errors.js";

/**
 * A failed call: the node's error code (or NODE_UNREACHABLE, BAD_RESPONSE, HTTP_<status>, TIMEOUT), the
 * HTTP status when there was one, the URL, and the fields of the node's `error.data`.
 */
export type ClientErrorType = ErrorType & { status?: number; url: string };
export class ClientError extends FastposError<ClientErrorType> {}

export interface HttpOptions {
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export async function request<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  opts: HttpOptions = {},
): Promise<T> {
  const url = `${baseUrl.replace(/\/$/, "")}${path}`;
  // NOTE: a ref'd timer, not AbortSignal.timeout (unref'd): a connection a proxy accepts and then drops
  // (docker-proxy before the container listens) can leave fetch pending with no handle of its own, and the
  // CLI then exited 13 ("unsettled top-level await") instead of retrying or timing out.
  const ctl = new AbortController();
  const timer = setTimeout(
    () => ctl.abort(new DOMException("timed out", "TimeoutError")),
    opts.timeoutMs ?? 10_000,
  );
  // Reads are retried when the connection fails under them (issue 22 item 7): a pooled keep-alive socket
  // the node closed at its idle timeout, or a reset under load, says nothing about the node being down.
  // Writes are never retried here — the caller decides whether sending again is safe.
  const attempts = method === "GET" || method === "HEAD" ? 3 : 1;
  let res: Response | undefined;
  let text = "";
  try {
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(url, {
          method,
          headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: ctl.signal,
        });
        text = await res.text();
      } catch (err) {
        res = undefined;
        const timedOut = (err as Error).name === "TimeoutError" || ctl.signal.aborted;
        if (!timedOut && attempt < attempts) {
          await new Promise((r) => setTimeout(r, 25 * attempt));
          continue;
        }
        throw new ClientError(
          { code: "NODE_UNREACHABLE", url },
          timedOut ? `node at ${baseUrl} did not answer in time` : `cannot reach the node at ${baseUrl}`,
          { cause: err },
        );
      }
    }
  } finally {
    clearTimeout(timer);
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ClientError(
      { code: "BAD_RESPONSE", status: res.status, url },
      `node answered with non-JSON (${res.status})`,
    );
  }
  if (!res.ok) {
    // An error answer from a node follows ApiErrorBody; anything else (a proxy's page) falls back to HTTP_<status>.
    const e = (json as Partial<ApiErrorBody> | null)?.error;
    throw new ClientError(
      { ...(e?.data ?? {}), code: e?.code ?? `HTTP_${res.status}`, status: res.status, url },
      e?.message ?? `HTTP ${res.status}`,
    );
  }
  return json as T;
}
