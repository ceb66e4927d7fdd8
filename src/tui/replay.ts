import type { WatchAction } from "./watch-reducer.js";

/**
 * `fastpos watch --replay FILE`: a `fastpos sim --trace` file (NDJSON) as the watch reducer's actions.
 * Trace lines of type status, offline, newBlock and consensus are reducer actions already; `fault` and
 * `violation` become messages; the `sim` header names the validators; `summary` is the run's report.
 */
export interface Replay {
  nodes: { name: string; url: string; validator: string }[];
  actions: WatchAction[];
  summary: Record<string, unknown> | null;
}

const ACTIONS = new Set(["status", "offline", "newBlock", "consensus"]);

/** Parses a trace; returns the 1-based line of the first bad line as a string error. */
export function parseTrace(text: string): Replay | { error: string; line: number } {
  const out: Replay = { nodes: [], actions: [], summary: null };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]?.trim();
    if (!raw) continue;
    let o: { type?: unknown; at?: unknown } & Record<string, unknown>;
    try {
      o = JSON.parse(raw);
    } catch {
      return { error: "not JSON", line: i + 1 };
    }
    if (typeof o !== "object" || o === null || typeof o.type !== "string" || typeof o.at !== "number")
      return { error: 'each line needs "type" (string) and "at" (number)', line: i + 1 };
    if (o.type === "sim" && Array.isArray(o.validators)) {
      out.nodes = (o.validators as { node: string; address: string }[]).map((v) => ({
        name: v.node,
        url: "sim",
        validator: v.address,
      }));
    } else if (ACTIONS.has(o.type)) out.actions.push(o as unknown as WatchAction);
    else if (o.type === "fault" || o.type === "violation")
      out.actions.push({
        type: "message",
        text: `${o.type === "violation" ? "VIOLATION " : ""}${String(o.text)}`,
      });
    else if (o.type === "summary") out.summary = (o.report as Record<string, unknown>) ?? null;
  }
  if (!out.nodes.length)
    return { error: 'no "sim" header line: is this a `fastpos sim --trace` file?', line: 1 };
  return out;
}

/** Virtual time of an action (messages carry none: they show at the time of the action before them). */
export function actionAt(a: WatchAction, previous: number): number {
  return "at" in a && typeof a.at === "number" ? a.at : previous;
}
