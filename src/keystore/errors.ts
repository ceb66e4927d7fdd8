import { FastposError } from "../core/errors.js";

export type KeystoreErrorType =
  | { code: "KEYSTORE_NOT_FOUND"; name: string }
  | { code: "KEYSTORE_EXISTS"; name: string }
  | { code: "KEYSTORE_BAD_PASSWORD"; name: string }
  | { code: "KEYSTORE_PASSWORD_REQUIRED"; name: string }
  | { code: "KEYSTORE_CORRUPT"; file: string; reason: string }
  | { code: "KEYSTORE_INVALID_NAME"; name: string };

/** Keystore failures; all are the user's to fix (exit 1). */
export class KeystoreError extends FastposError<KeystoreErrorType> {}
