import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKeystore, type KeyRecord } from "../../src/keystore/keystore.js";
import { tempDir } from "../helpers/cli.js";

const record = (name: string): KeyRecord => ({
  name,
  address: `fp1${name}`,
  publicKey: "0x00",
  createdAt: "2026-01-01T00:00:00.000Z",
  encrypted: false,
  kind: "account",
});
const secret = { mnemonic: "abandon abandon about", index: 0 };

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe("keystore (real files in a temp dir)", () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterEach(() => cleanup());
  const ks = () => createKeystore(home, { scryptN: 1 << 10 });

  it("writes 0600 files in a 0700 dir and round-trips a plaintext secret", async () => {
    await ks().save(record("alice"), secret);
    expect(statSync(join(home, "keys")).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, "keys", "alice.json")).mode & 0o777).toBe(0o600);
    expect(await ks().load("alice")).toEqual({ record: record("alice"), secret });
    expect(readdirSync(join(home, "keys"))).toEqual(["alice.json"]); // no temp files left
  });

  it("encrypts with a password: the file holds no plaintext, the right password decrypts", async () => {
    await ks().save(record("vault"), secret, { password: "correct horse" });
    const text = readFileSync(join(home, "keys", "vault.json"), "utf8");
    expect(text).not.toContain("abandon");
    expect(JSON.parse(text).crypto).toMatchObject({ kdf: "scrypt", cipher: "aes-256-gcm" });
    expect((await ks().get("vault")).encrypted).toBe(true);
    expect((await ks().load("vault", { password: "correct horse" })).secret).toEqual(secret);
    expect(await code(ks().load("vault", { password: "wrong" }))).toBe("KEYSTORE_BAD_PASSWORD");
    expect(await code(ks().load("vault"))).toBe("KEYSTORE_PASSWORD_REQUIRED");
  });

  it("detects tampering with the ciphertext (GCM tag)", async () => {
    await ks().save(record("vault"), secret, { password: "pw" });
    const file = join(home, "keys", "vault.json");
    const j = JSON.parse(readFileSync(file, "utf8"));
    j.crypto.ciphertext = (j.crypto.ciphertext[0] === "a" ? "b" : "a") + j.crypto.ciphertext.slice(1);
    writeFileSync(file, JSON.stringify(j));
    expect(await code(ks().load("vault", { password: "pw" }))).toBe("KEYSTORE_BAD_PASSWORD");
  });

  it("refuses duplicates unless overwriting, and invalid names", async () => {
    await ks().save(record("a"), secret);
    expect(await code(ks().save(record("a"), secret))).toBe("KEYSTORE_EXISTS");
    await ks().save(record("a"), { secretKey: "0x01" }, { overwrite: true });
    expect((await ks().load("a")).secret).toEqual({ secretKey: "0x01" });
    for (const bad of ["", "../x", "a/b", ".hidden", "x".repeat(65)]) {
      expect(await code(ks().save(record(bad), secret))).toBe("KEYSTORE_INVALID_NAME");
    }
  });

  it("lists sorted, skips corrupt files, removes, and reports missing and corrupt keys", async () => {
    for (const n of ["carol", "alice", "bob"]) await ks().save(record(n), secret);
    writeFileSync(join(home, "keys", "broken.json"), "{");
    expect((await ks().list()).map((r) => r.name)).toEqual(["alice", "bob", "carol"]);
    expect(await code(ks().get("broken"))).toBe("KEYSTORE_CORRUPT");
    await ks().remove("bob");
    expect(await ks().exists("bob")).toBe(false);
    expect(await code(ks().get("bob"))).toBe("KEYSTORE_NOT_FOUND");
    expect(await code(ks().remove("bob"))).toBe("KEYSTORE_NOT_FOUND");
  });

  it("an empty home lists no keys", async () => {
    expect(await ks().list()).toEqual([]);
  });
});
