/** The public SDK: a typed client for the node API plus the event stream. */
export * from "./client.js";
export * from "./events.js";
export * from "./http.js";
