/**
 * The public SDK: a typed client for the node API plus the event stream, and the API contract's types
 * (request and response bodies, `NodeEvent`/`NodeEventJson`) for code that handles the JSON itself.
 */
export type * from "../core/api/contract.js";
export * from "./client.js";
export * from "./events.js";
export * from "./http.js";
