import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_SCRYPT_N, decryptSecret, type EncryptedSecret, encryptSecret } from "./crypto.js";
import { KeystoreError } from "./errors.js";
import { writeFileAtomicSync } from "./fs-atomic.js";

/**
 * The on-disk keystore (DESIGN.md §2): one JSON file per key in `<home>/keys/NAME.json`, mode 0600 in a
 * 0700 directory, written atomically. The public part (name, address, public key) is always readable;
 * the secret is plaintext (devnets) or scrypt + AES-256-GCM encrypted under a password. The keystore
 * treats the secret as opaque: deriving keys from it is the caller's business (keys-service.ts).
 */
export interface KeyRecord {
  name: string;
  address: string;
  publicKey: string;
  createdAt: string;
  encrypted: boolean;
  kind: "account" | "consensus" | "node";
}

export type KeySecret = { mnemonic: string; index: number; passphrase?: string } | { secretKey: string };

interface KeyFileV1 extends KeyRecord {
  version: 1;
  secret?: KeySecret;
  crypto?: EncryptedSecret;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new KeystoreError(
      { code: "KEYSTORE_INVALID_NAME", name },
      `invalid key name "${name}": use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}

export function createKeystore(home: string, opts: { scryptN?: number } = {}) {
  const dir = join(home, "keys");
  const fileOf = (name: string) => join(dir, `${name}.json`);

  async function readKeyFile(name: string): Promise<KeyFileV1> {
    checkName(name);
    const file = fileOf(name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new KeystoreError(
          { code: "KEYSTORE_NOT_FOUND", name },
          `no key named "${name}" in ${dir} (see \`fastpos keys list\`)`,
        );
      }
      throw err;
    }
    try {
      const j = JSON.parse(text) as KeyFileV1;
      if (j.version !== 1 || typeof j.address !== "string" || (!j.secret && !j.crypto))
        throw new Error("unknown format");
      return j;
    } catch (err) {
      throw new KeystoreError(
        { code: "KEYSTORE_CORRUPT", file, reason: (err as Error).message },
        `key file ${file} is corrupt: ${(err as Error).message}`,
      );
    }
  }

  const publicPart = (j: KeyFileV1): KeyRecord => ({
    name: j.name,
    address: j.address,
    publicKey: j.publicKey,
    createdAt: j.createdAt,
    encrypted: j.encrypted,
    kind: j.kind,
  });

  return {
    dir,
    async exists(name: string): Promise<boolean> {
      checkName(name);
      try {
        await stat(fileOf(name));
        return true;
      } catch {
        return false;
      }
    },

    /**
     * Stores a key. With `password` the secret is encrypted.
     * @throws KeystoreError KEYSTORE_EXISTS unless `overwrite`, KEYSTORE_INVALID_NAME
     */
    async save(
      record: KeyRecord,
      secret: KeySecret,
      o: { password?: string; overwrite?: boolean } = {},
    ): Promise<void> {
      checkName(record.name);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (!o.overwrite && (await this.exists(record.name))) {
        throw new KeystoreError(
          { code: "KEYSTORE_EXISTS", name: record.name },
          `a key named "${record.name}" already exists`,
        );
      }
      const body: KeyFileV1 = { version: 1, ...record, encrypted: o.password !== undefined };
      if (o.password !== undefined)
        body.crypto = encryptSecret(JSON.stringify(secret), o.password, opts.scryptN ?? DEFAULT_SCRYPT_N);
      else body.secret = secret;
      writeFileAtomicSync(fileOf(record.name), `${JSON.stringify(body, null, 2)}\n`, 0o600);
    },

    /** The public record of a key (no password needed). */
    async get(name: string): Promise<KeyRecord> {
      return publicPart(await readKeyFile(name));
    },

    /**
     * The record and its secret.
     * @throws KeystoreError KEYSTORE_PASSWORD_REQUIRED | KEYSTORE_BAD_PASSWORD | KEYSTORE_NOT_FOUND
     */
    async load(
      name: string,
      o: { password?: string } = {},
    ): Promise<{ record: KeyRecord; secret: KeySecret }> {
      const j = await readKeyFile(name);
      if (j.secret) return { record: publicPart(j), secret: j.secret };
      if (o.password === undefined) {
        throw new KeystoreError(
          { code: "KEYSTORE_PASSWORD_REQUIRED", name },
          `key "${name}" is encrypted: a password is required`,
        );
      }
      const plain = decryptSecret(j.crypto as EncryptedSecret, o.password);
      if (plain === undefined) {
        throw new KeystoreError({ code: "KEYSTORE_BAD_PASSWORD", name }, `wrong password for key "${name}"`);
      }
      return { record: publicPart(j), secret: JSON.parse(plain) as KeySecret };
    },

    /** All keys, sorted by name. Unreadable files are skipped rather than hiding every other key. */
    async list(): Promise<KeyRecord[]> {
      let names: string[];
      try {
        names = (await readdir(dir)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
      } catch {
        return [];
      }
      const out: KeyRecord[] = [];
      for (const n of names.filter((x) => NAME_RE.test(x)).sort()) {
        try {
          out.push(publicPart(await readKeyFile(n)));
        } catch {}
      }
      return out;
    },

    async remove(name: string): Promise<void> {
      await readKeyFile(name);
      await rm(fileOf(name));
    },
  };
}

export type Keystore = ReturnType<typeof createKeystore>;
