/** Canonical binary codec (DESIGN.md §2). See `codec.ts` for the rules every codec follows. */
export * from "./codec.js";
export * from "./errors.js";
export * from "./hex.js";
export { Reader, Writer } from "./io.js";
