/** The chain state machine (DESIGN.md §3). */
export * from "./apply/block.js";
export * from "./apply/evidence.js";
export * from "./apply/transfer.js";
export * from "./apply/tx.js";
export * from "./block.js";
export * from "./commit.js";
export * from "./errors.js";
export * from "./genesis.js";
export * from "./merkle.js";
export * from "./params.js";
export * from "./state.js";
export * from "./state-tree.js";
export * from "./tx.js";
export * from "./validator-set.js";
export * from "./vote.js";
