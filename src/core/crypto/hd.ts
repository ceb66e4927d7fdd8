import { HDKey } from "micro-key-producer/slip10.js";
import { addressFromPublicKey } from "./address.js";
import { getPublicKey } from "./ed25519.js";
import { CryptoError } from "./errors.js";
import { mnemonicToSeed } from "./mnemonic.js";

/**
 * SLIP-10 ed25519 key derivation (DESIGN.md §2). All levels hardened (ed25519 has no public derivation).
 * Account keys use `m/44'/7777'/0'/0'/i'`; validator consensus keys use the separate branch
 * `m/44'/7777'/1'/0'/i'`, so one mnemonic can back both without reusing a key.
 */
export const ACCOUNT_PATH = (i: number): string => `m/44'/7777'/0'/0'/${i}'`;
export const CONSENSUS_PATH = (i: number): string => `m/44'/7777'/1'/0'/${i}'`;

/**
 * PUBLIC well-known devnet mnemonic (the bip39 encoding of 32 zero bytes). Default genesis and devnets
 * derive their keys from it so runs are reproducible. Never hold value under it.
 */
export const DEV_MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

/** Derives the key at `path` (e.g. "m/44'/7777'/0'/0'/0'") from a bip39 seed. */
export function derivePath(seed: Uint8Array, path: string) {
  if (!/^m(\/\d+')*$/.test(path)) {
    throw new CryptoError(
      { code: "KEY_BAD_PATH", path },
      `derivation path ${path} must be hardened-only, like m/44'/7777'/0'/0'/0'`,
    );
  }
  const key = HDKey.fromMasterSeed(seed).derive(path);
  return { secretKey: key.privateKey, publicKey: getPublicKey(key.privateKey), chainCode: key.chainCode };
}

/** A keypair and its `fp1…` address derived from a mnemonic. */
export interface DerivedKeypair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  address: string;
  path: string;
}

export function keypairFromMnemonic(
  mnemonic: string,
  opts: { index?: number; passphrase?: string; purpose?: "account" | "consensus" } = {},
): DerivedKeypair {
  const index = opts.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
    throw new CryptoError(
      { code: "KEY_BAD_PATH", path: String(index) },
      "key index must be an integer in [0, 2^31)",
    );
  }
  const path = (opts.purpose === "consensus" ? CONSENSUS_PATH : ACCOUNT_PATH)(index);
  const { secretKey, publicKey } = derivePath(mnemonicToSeed(mnemonic, opts.passphrase ?? ""), path);
  return { secretKey, publicKey, address: addressFromPublicKey(publicKey), path };
}
