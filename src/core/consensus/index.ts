/** Tendermint BFT consensus as a pure state machine (DESIGN.md §4). */
export * from "./engine.js";
export * from "./rounds.js";
export * from "./types.js";
export * from "./vote-set.js";
