/**
 * fastpos as a library: `import { createClient, createTransferTx } from "fastpos"`.
 */
export * from "./client/index.js";
export { createTransferTx, decodeTx, encodeTx, hashTx, signTx, type Tx, txToJson } from "./core/chain/tx.js";
export * from "./core/index.js";
export { connectDevnet } from "./devnet/connect.js";
export { loadKeypair } from "./keystore/keys-service.js";
export { createKeystore } from "./keystore/keystore.js";
