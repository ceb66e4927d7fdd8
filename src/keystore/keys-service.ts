import { randomBytes } from "node:crypto";
import { fromHex, toHex } from "../core/codec/index.js";
import {
  addressFromPublicKey,
  generateMnemonic,
  getPublicKey,
  keypairFromMnemonic,
  validateMnemonic,
} from "../core/crypto/index.js";
import type { createKeystore } from "./keystore.js";

type Keystore = ReturnType<typeof createKeystore>;
type KeyRecord = Awaited<ReturnType<Keystore["get"]>>;

/** What `keys new` / `keys import` return: the public record, plus the mnemonic on creation only. */
export interface CreatedKey {
  record: KeyRecord;
  path: string;
  mnemonic?: string;
}

/** A key ready to sign with. */
export interface LoadedKeypair {
  record: KeyRecord;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  address: string;
}

/** Normalises a mnemonic the way users paste it: any whitespace, any case. */
export function normalizeMnemonic(m: string): string {
  return m.trim().toLowerCase().split(/\s+/).join(" ");
}

/**
 * Picks a name for an unnamed key: `default` first, then `key-2`, `key-3`… so `fastpos keys new` works
 * without flags and never overwrites.
 */
export async function nextFreeName(ks: Keystore): Promise<string> {
  if (!(await ks.exists("default"))) return "default";
  for (let i = 2; ; i++) if (!(await ks.exists(`key-${i}`))) return `key-${i}`;
}

/**
 * Creates an account key from a fresh bip39 mnemonic (entropy from the OS CSPRNG: 16 bytes for 12 words,
 * 32 for 24) and stores it. SECURITY: the mnemonic is returned once, for the caller to show.
 */
export async function createKey(
  ks: Keystore,
  opts: { name?: string | undefined; words: 12 | 24; password?: string | undefined; now: Date },
): Promise<CreatedKey> {
  const mnemonic = generateMnemonic(randomBytes(opts.words === 12 ? 16 : 32));
  const created = await storeMnemonic(ks, { ...opts, mnemonic, index: 0 });
  return { ...created, mnemonic };
}

/** Imports an existing mnemonic (checked: unknown words and bad checksums are named). */
export async function importKey(
  ks: Keystore,
  opts: {
    name: string;
    mnemonic: string;
    index: number;
    password?: string | undefined;
    now: Date;
    overwrite?: boolean;
  },
): Promise<CreatedKey> {
  const mnemonic = normalizeMnemonic(opts.mnemonic);
  validateMnemonic(mnemonic);
  return storeMnemonic(ks, { ...opts, mnemonic });
}

async function storeMnemonic(
  ks: Keystore,
  opts: {
    name?: string | undefined;
    mnemonic: string;
    index: number;
    password?: string | undefined;
    now: Date;
    overwrite?: boolean;
  },
): Promise<CreatedKey> {
  const name = opts.name ?? (await nextFreeName(ks));
  const kp = keypairFromMnemonic(opts.mnemonic, { index: opts.index, purpose: "account" });
  const record = {
    name,
    address: kp.address,
    publicKey: toHex(kp.publicKey),
    createdAt: opts.now.toISOString(),
    encrypted: opts.password !== undefined,
    kind: "account" as const,
  };
  await ks.save(
    record,
    { mnemonic: opts.mnemonic, index: opts.index },
    {
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.overwrite ? { overwrite: true } : {}),
    },
  );
  return { record: await ks.get(name), path: kp.path };
}

/**
 * Loads a key's signing material: the account keypair, or with `purpose: "consensus"` the validator
 * consensus keypair derived from the same mnemonic on the consensus path (DESIGN.md §2: separate keys).
 * Raw-seed keys (node identity keys) have only the one keypair.
 */
export async function loadKeypair(
  ks: Keystore,
  name: string,
  opts: { password?: string | undefined; purpose?: "account" | "consensus" } = {},
): Promise<LoadedKeypair> {
  const { record, secret } = await ks.load(
    name,
    opts.password !== undefined ? { password: opts.password } : {},
  );
  if (!("mnemonic" in secret)) {
    const secretKey = fromHex(secret.secretKey, 32);
    const publicKey = getPublicKey(secretKey);
    return { record, secretKey, publicKey, address: addressFromPublicKey(publicKey) };
  }
  const kp = keypairFromMnemonic(secret.mnemonic, {
    index: secret.index,
    purpose: opts.purpose ?? "account",
    ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
  });
  return { record, secretKey: kp.secretKey, publicKey: kp.publicKey, address: kp.address };
}

/** The stored mnemonic of a key, for `keys export` (SECURITY: shown only on explicit request). */
export async function exportKey(ks: Keystore, name: string, opts: { password?: string | undefined } = {}) {
  const { record, secret } = await ks.load(
    name,
    opts.password !== undefined ? { password: opts.password } : {},
  );
  return { record, secret };
}
