/**
 * Minimal HTTP framework for the node API (DESIGN.md §5) on node:http: routes with `:params`, JSON bodies
 * with a size limit, per-IP rate limits (requests, and txs for the routes that admit them), a request
 * timeout, bearer-token admin routes, a capped `/v1/events` WebSocket, and JSON errors
 * `{error: {code, message, data?}}` — 4xx for the caller's mistakes, 5xx only for ours. Nothing a client
 * sends can crash the node: every handler error becomes a response.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { FastposError } from "../../core/errors.js";
import { listenError } from "../listen-error.js";
import { type CpuSlices, createCpuSlices } from "./cpu-slices.js";
import { IpLimiter } from "./ip-limiter.js";
import { compile, findRoute, parseRequestTarget } from "./router.js";

/** How long a closing API waits for responses in flight before cutting their connections (ms). */
const CLOSE_GRACE_MS = 1_000;
/** See the file header. */
export class ApiError extends FastposError<{ code: string } & Record<string, unknown>> {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    data: Record<string, unknown> = {},
  ) {
    super({ code, ...data }, message);
  }
}

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  ip: string;
  /** Aborts when the client went away or the request timed out: long work should stop then. */
  signal: AbortSignal;
  /**
   * Takes up to `n` more tokens of the caller's tx budget (a `txBudget` route has taken one before reading
   * the body) and returns how many were granted.
   */
  takeTxs(n: number): number;
  /** The server's shared runner for CPU-heavy per-item work, a slice per event-loop turn. */
  cpu: CpuSlices;
}

export type ApiResult = { status?: number; json?: unknown; text?: string; contentType?: string };

export interface Route {
  method: "GET" | "POST" | "DELETE" | "PUT";
  path: string;
  admin?: boolean;
  /**
   * SECURITY: the route admits txs. It needs a token of the caller's per-IP tx budget before its body is
   * even read (429 without one), and takes one more per further tx through `ApiRequest.takeTxs`.
   */
  txBudget?: boolean;
  /**
   * A long-poll: how much longer than `requestTimeoutMs` this request may take, from its query (0 for a
   * query the handler will refuse). Never throws.
   */
  extraTimeMs?: (query: URLSearchParams) => number;
  handler: (req: ApiRequest) => ApiResult | Promise<ApiResult>;
}

export interface ApiServerOptions {
  listen: string;
  maxBodyBytes: number;
  requestsPerSecondPerIp: number;
  /** Per-IP tx budget of the `txBudget` routes (a batch of N txs costs N). */
  txsPerSecondPerIp: number;
  /** Most `/v1/events` subscribers at once; past it upgrades get 503. */
  maxEventSubscribers: number;
  /** Most client IPs whose budgets are tracked (least recently used evicted past it; default 10,000). */
  maxTrackedIps?: number;
  /** Longest the shared CPU runner works per event-loop turn (default BATCH_SLICE_MS). */
  sliceMs?: number;
  requestTimeoutMs: number;
  adminToken: string;
  routes: Route[];
  /** Maps a typed domain error to an HTTP status (default 400). */
  statusFor?: (err: FastposError) => number;
  onEvents?: (ws: WebSocket, req: IncomingMessage) => void;
  logger: { warn(obj: object, msg?: string): void; debug(obj: object, msg?: string): void };
}

/** Serialises API JSON: bigints as decimal strings (DESIGN.md §2). */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

/**
 * PERF: longest stretch of batch admission per event-loop turn. A tx costs ≈0.1–1 ms to admit (verify
 * included), so a slice is a few to tens of txs; a request or consensus message arriving meanwhile waits at
 * most about this long per loop turn. Measured under a batch flood (test api-batch-flood): 10 ms → 112
 * status answers in 11 s, 5 ms → 168, with the same batch throughput (a yield costs microseconds).
 */
export const BATCH_SLICE_MS = 5;

export interface ApiServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Open API sockets one IP may hold at once, and the server in all (issue 23 item 4). Generous: every local
 * client (CLI, SDK, bench, watch) shares 127.0.0.1, and HTTP clients open a socket per concurrent request.
 */
export const MAX_CONNECTIONS_PER_IP = 1024;
export const MAX_CONNECTIONS = 8192;

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const routes = opts.routes.map(compile);
  const limiter = new IpLimiter({
    requestsPerSecond: opts.requestsPerSecondPerIp,
    txsPerSecond: opts.txsPerSecondPerIp,
    ...(opts.maxTrackedIps !== undefined ? { maxIps: opts.maxTrackedIps } : {}),
  });
  const cpu = createCpuSlices({ sliceMs: opts.sliceMs ?? BATCH_SLICE_MS });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const token = Buffer.from(opts.adminToken);

  const send = (res: ServerResponse, status: number, body: string, type = "application/json") => {
    if (res.headersSent) return;
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  const sendError = (res: ServerResponse, status: number, code: string, message: string, data?: object) =>
    send(
      res,
      status,
      jsonText({ error: { code, message, ...(data && Object.keys(data).length ? { data } : {}) } }),
    );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = req.socket.remoteAddress ?? "?";
    if (!limiter.takeRequest(ip)) return sendError(res, 429, "RATE_LIMITED", "too many requests; slow down");
    const target = parseRequestTarget(req.url);
    if (!target) return sendError(res, 400, "BAD_PATH", "the request target is not a valid path");
    const match = findRoute(routes, req.method ?? "GET", target.pathname);
    if (match === "bad-escape")
      return sendError(res, 400, "BAD_PATH", "the request path has an invalid %-escape");
    if (match === "method")
      return sendError(res, 405, "METHOD_NOT_ALLOWED", `${req.method} not allowed on ${target.pathname}`);
    if (!match) return sendError(res, 404, "NOT_FOUND", `no such endpoint: ${req.method} ${target.pathname}`);
    const [route, params] = match;
    if (route.admin && !authorized(req.headers.authorization, token)) {
      return sendError(
        res,
        401,
        "UNAUTHORIZED",
        "admin endpoints need `Authorization: Bearer <admin token>`",
      );
    }
    if (route.txBudget && limiter.takeTxs(ip, 1) < 1) {
      req.resume();
      return sendError(res, 429, "RATE_LIMITED", "transaction budget of this client exhausted; slow down", {
        txsPerSecond: opts.txsPerSecondPerIp,
      });
    }
    const abort = new AbortController();
    res.once("close", () => abort.abort(new ApiError(503, "CLIENT_CLOSED", "the client went away")));
    const timer = setTimeout(
      () => {
        const err = new ApiError(503, "TIMEOUT", "request timed out");
        sendError(res, err.status, err.code, err.message);
        abort.abort(err);
      },
      opts.requestTimeoutMs + (route.extraTimeMs?.(target.query) ?? 0),
    );
    try {
      const body =
        route.method === "POST" || route.method === "PUT"
          ? await readJson(req, opts.maxBodyBytes)
          : undefined;
      const result = await route.handler({
        method: route.method,
        path: target.pathname,
        params,
        query: target.query,
        body,
        ip,
        signal: abort.signal,
        takeTxs: (n) => limiter.takeTxs(ip, n),
        cpu,
      });
      if (result.text !== undefined)
        send(res, result.status ?? 200, result.text, result.contentType ?? "text/plain");
      else send(res, result.status ?? 200, jsonText(result.json ?? null));
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err.status, err.code, err.message, err.data);
      else if (err instanceof FastposError)
        sendError(res, opts.statusFor?.(err) ?? 400, err.code, err.message, err.data);
      else {
        opts.logger.warn(
          { err: (err as Error).stack ?? String(err), path: target.pathname },
          "API handler failed",
        );
        sendError(res, 500, "INTERNAL", "internal error");
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // SECURITY: the guard no request can get past. Whatever `handle` throws (a bug of ours, since bad input is
  // answered with 4xx inside it) becomes a 500 and a log line, never an uncaught exception that ends the node.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.logger.warn({ err: (err as Error)?.stack ?? String(err) }, "API request failed");
      try {
        sendError(res, 500, "INTERNAL", "internal error");
      } catch {
        res.destroy();
      }
    });
  });
  server.requestTimeout = opts.requestTimeoutMs;
  server.headersTimeout = Math.min(opts.requestTimeoutMs, 10_000);
  server.keepAliveTimeout = 5_000;
  server.on("clientError", (_err, socket: Duplex) => socket.destroy());
  // SECURITY: slow-header clients (slowloris) hold a socket each until headersTimeout, checked every
  // second (Node's default check runs every 30 s). One IP may hold MAX_CONNECTIONS_PER_IP sockets at once
  // and the server MAX_CONNECTIONS in all, so one host cannot take every socket from honest clients.
  server.maxConnections = MAX_CONNECTIONS;
  const openPerIp = new Map<string, number>();
  server.on("connection", (socket) => {
    const ip = socket.remoteAddress ?? "?";
    const n = (openPerIp.get(ip) ?? 0) + 1;
    if (n > MAX_CONNECTIONS_PER_IP)
      return refuseUpgrade(socket, 503, "TOO_MANY_CONNECTIONS", "too many open connections from this IP");
    openPerIp.set(ip, n);
    socket.once("close", () => {
      const left = (openPerIp.get(ip) ?? 1) - 1;
      if (left > 0) openPerIp.set(ip, left);
      else openPerIp.delete(ip);
    });
  });
  server.on("upgrade", (req, socket, head) => {
    try {
      socket.on("error", () => socket.destroy());
      // SECURITY: an upgrade is a request like any other for the per-IP limiter, and the subscribers are
      // capped: each one costs a socket, buffers and a serialisation share of every event.
      if (!limiter.takeRequest(req.socket.remoteAddress ?? "?"))
        return refuseUpgrade(socket, 429, "RATE_LIMITED", "too many requests; slow down");
      const target = parseRequestTarget(req.url);
      if (target?.pathname !== "/v1/events" || !opts.onEvents) return socket.destroy();
      if (wss.clients.size >= opts.maxEventSubscribers)
        return refuseUpgrade(
          socket,
          503,
          "TOO_MANY_SUBSCRIBERS",
          `this node serves at most ${opts.maxEventSubscribers} event subscribers; try again later`,
        );
      wss.handleUpgrade(req, socket, head, (ws) => {
        try {
          opts.onEvents?.(ws, req);
        } catch (err) {
          opts.logger.warn({ err: (err as Error)?.stack ?? String(err) }, "event subscription failed");
          ws.terminate();
        }
      });
    } catch (err) {
      opts.logger.warn({ err: (err as Error)?.stack ?? String(err) }, "WebSocket upgrade failed");
      socket.destroy();
    }
  });

  const [host, port] = opts.listen.split(":") as [string, string];
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(listenError("API", opts.listen, err)));
    server.listen(Number(port), host, () => resolve());
  });
  const addr = server.address();
  const url = `http://${host}:${typeof addr === "object" && addr ? addr.port : port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        // Answers being written (e.g. the 503s of parked long-polls at shutdown) get a moment to leave;
        // then every connection still open is cut. Idle keep-alive sockets close at once.
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Answers a refused WebSocket upgrade with a JSON error (before any handshake) and closes the socket. */
/** Answers a raw socket with one JSON error and closes it (refused upgrades, sockets over the cap). */
function refuseUpgrade(socket: Duplex, status: 429 | 503, code: string, message: string): void {
  const body = jsonText({ error: { code, message } });
  const reason = status === 429 ? "Too Many Requests" : "Service Unavailable";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

function authorized(header: string | undefined, token: Buffer): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m) return false;
  const given = Buffer.from(m[1] as string);
  return given.length === token.length && timingSafeEqual(given, token);
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > max) {
    req.resume();
    throw new ApiError(413, "BODY_TOO_LARGE", `request body over ${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new ApiError(413, "BODY_TOO_LARGE", `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ApiError(400, "BAD_JSON", "request body is not valid JSON");
  }
}

export { parseRequestTarget } from "./router.js";

/**
 * Sends a JSON event (or its already serialised text) to a WebSocket subscriber; slow consumers are dropped,
 * never buffered unboundedly.
 */
export function sendEvent(ws: WebSocket, event: unknown): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount > 8 << 20) {
    ws.close(1013, "slow consumer");
    return;
  }
  ws.send(typeof event === "string" ? event : jsonText(event));
}

/**
 * The event types a `/v1/events?types=newBlock,vote` subscriber asked for, or null (no `types` query:
 * every event).
 */
export function eventTypesFilter(url: string | undefined): ReadonlySet<string> | null {
  const types = parseRequestTarget(url)?.query.get("types") ?? null;
  if (types === null) return null;
  return new Set(types.split(",").filter(Boolean));
}
