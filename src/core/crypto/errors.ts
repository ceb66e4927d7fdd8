import { FastposError } from "../errors.js";

/**
 * Why a key, signature input, address or mnemonic was rejected (DESIGN.md §2). Codes are stable: the CLI
 * and the HTTP API expose them, and callers switch on `err.code`.
 */
export type CryptoErrorType =
  | { code: "CRYPTO_BAD_PUBLIC_KEY"; reason: string }
  | { code: "CRYPTO_SMALL_ORDER_KEY" }
  | { code: "CRYPTO_NONCANONICAL_KEY" }
  | { code: "CRYPTO_BAD_SECRET_KEY"; reason: string }
  | { code: "KEY_UNKNOWN_WORD"; word: string; position: number; suggestion?: string }
  | { code: "KEY_BAD_CHECKSUM" }
  | { code: "KEY_BAD_WORD_COUNT"; count: number }
  | { code: "KEY_BAD_ENTROPY"; length: number }
  | { code: "KEY_BAD_SEED"; length: number }
  | { code: "KEY_BAD_PATH"; path: string }
  | { code: "ADDRESS_INVALID"; input: string; reason: string };

/** The one error class thrown by core/crypto; user-facing messages say what to fix. */
export class CryptoError extends FastposError<CryptoErrorType> {}
