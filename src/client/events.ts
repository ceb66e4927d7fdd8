/**
 * Subscription to a node's `/v1/events` WebSocket (hello, newBlock, roundStep, vote, tx, evidence: the
 * `NodeEventJson` union of the API contract). Reconnects with backoff while open, so watchers survive node
 * restarts; `onStatus` reports connected/disconnected. PERF: `ws` is imported on the first subscription, not
 * with the SDK, so a CLI command that never subscribes does not load it (issue 22 item 4).
 */
import type WebSocket from "ws";
import { EVENTS_PATH, type NodeEventJson, type NodeEventType } from "../core/api/contract.js";

export interface EventSubscription {
  close(): void;
}

export interface SubscribeOptions {
  /** Each event, discriminated by `type` (switch on it to get the fields). */
  onEvent: (event: NodeEventJson) => void;
  onStatus?: (status: "connected" | "disconnected") => void;
  /** Reconnect after a drop (default true). */
  reconnect?: boolean;
  /** Only these event types (e.g. `["newBlock"]`); default all. Saves the node serialising unwanted events. */
  types?: NodeEventType[];
}

export function subscribeEvents(baseUrl: string, opts: SubscribeOptions): EventSubscription {
  const query = opts.types ? `?types=${opts.types.map(encodeURIComponent).join(",")}` : "";
  const url = `${baseUrl.replace(/^http/, "ws").replace(/\/$/, "")}${EVENTS_PATH}${query}`;
  let ws: WebSocket | undefined;
  let closed = false;
  let backoff = 100;
  let timer: NodeJS.Timeout | undefined;

  let Ws: typeof WebSocket | undefined;
  const connect = () => {
    if (closed) return;
    if (!Ws) {
      import("ws").then(
        (m) => {
          Ws = m.default;
          connect();
        },
        () => opts.onStatus?.("disconnected"),
      );
      return;
    }
    const sock = new Ws(url, { handshakeTimeout: 3000 });
    ws = sock;
    sock.on("open", () => {
      backoff = 100;
      opts.onStatus?.("connected");
    });
    sock.on("message", (data) => {
      try {
        opts.onEvent(JSON.parse(String(data)));
      } catch {
        // A malformed event is skipped, never fatal to the subscriber.
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      opts.onStatus?.("disconnected");
      if (closed || opts.reconnect === false) return;
      timer = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 2000);
    });
  };
  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      ws?.terminate();
    },
  };
}
