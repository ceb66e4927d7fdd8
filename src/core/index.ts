/** The pure, deterministic core: codec, crypto, chain and consensus (DESIGN.md §1). */

export {
  createDefaultGenesis,
  createGenesis,
  deriveDevValidators,
  type Genesis,
  genesisToJson,
  hashGenesis,
  validateGenesis,
} from "./chain/genesis.js";
export * from "./codec/index.js";
export * from "./crypto/index.js";
export * from "./errors.js";
