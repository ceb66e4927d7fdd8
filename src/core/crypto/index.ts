/**
 * Hashing, signatures, addresses and keys (DESIGN.md §2). Import from here, not from the files: the split
 * into files is an implementation detail.
 */
export * from "./address.js";
export * from "./domain.js";
export * from "./ed25519.js";
export * from "./errors.js";
export * from "./hash.js";
export * from "./hd.js";
export * from "./mnemonic.js";
export * from "./verify.js";
