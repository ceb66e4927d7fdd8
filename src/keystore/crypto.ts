import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/**
 * Encryption of key secrets at rest: scrypt → 32-byte key → AES-256-GCM (DESIGN.md §2). The GCM tag makes
 * a wrong password (or a tampered file) fail cleanly instead of yielding garbage.
 */
export interface EncryptedSecret {
  kdf: "scrypt";
  kdfparams: { n: number; r: number; p: number; salt: string };
  cipher: "aes-256-gcm";
  iv: string;
  tag: string;
  ciphertext: string;
}

/** Default scrypt cost: N=2^15, r=8, p=1 (~32 MiB, ~0.1 s). */
export const DEFAULT_SCRYPT_N = 1 << 15;

function deriveKey(password: string, salt: Buffer, p: { n: number; r: number; p: number }): Buffer {
  return scryptSync(password.normalize("NFKC"), salt, 32, {
    N: p.n,
    r: p.r,
    p: p.p,
    maxmem: 256 * p.n * p.r + (1 << 20),
  });
}

export function encryptSecret(plaintext: string, password: string, n = DEFAULT_SCRYPT_N): EncryptedSecret {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const params = { n, r: 8, p: 1 };
  const cipher = createCipheriv("aes-256-gcm", deriveKey(password, salt, params), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    kdf: "scrypt",
    kdfparams: { ...params, salt: salt.toString("hex") },
    cipher: "aes-256-gcm",
    iv: iv.toString("hex"),
    tag: cipher.getAuthTag().toString("hex"),
    ciphertext: ciphertext.toString("hex"),
  };
}

/** Decrypts, or returns undefined when the password is wrong or the data was altered. */
export function decryptSecret(e: EncryptedSecret, password: string): string | undefined {
  try {
    const key = deriveKey(password, Buffer.from(e.kdfparams.salt, "hex"), e.kdfparams);
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(e.iv, "hex"));
    d.setAuthTag(Buffer.from(e.tag, "hex"));
    return Buffer.concat([d.update(Buffer.from(e.ciphertext, "hex")), d.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
