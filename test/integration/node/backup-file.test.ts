import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { type BackupItem, readBackup, writeBackup } from "../../../src/node/backup/format.js";
import { openStore } from "../../../src/node/store.js";
import { tempDir } from "../../helpers/cli.js";
import { corruptLevelTables } from "../../helpers/level.js";

/** The backup file format and the store's corruption reporting, on real files and a real LevelDB. */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function dir() {
  const t = tempDir("fastpos-backup-");
  cleanups.push(t.cleanup);
  return t.dir;
}

const entries: [Uint8Array, Uint8Array][] = Array.from({ length: 3000 }, (_, i) => [
  new TextEncoder().encode(`key-${i}`),
  new Uint8Array(50).fill(i & 0xff),
]);

async function write(file: string) {
  async function* gen(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    yield* entries;
  }
  return writeBackup(file, {
    header: { chainId: "c", genesisHash: "0x00", createdAt: "2026-01-01T00:00:00.000Z", source: "db" },
    entries: gen(),
    files: async () => ({ "signer-state.json": new TextEncoder().encode('{"x":1}') }),
    trailer: (n) => ({ entries: n, height: "7" }),
  });
}

async function readAll(file: string): Promise<BackupItem[]> {
  const out: BackupItem[] = [];
  for await (const item of readBackup(file)) out.push(item);
  return out;
}

describe("backup file", () => {
  it("reads back every entry, the side files and the trailer", async () => {
    const file = join(dir(), "b.fpbak");
    expect(await write(file)).toEqual({ entries: 3000, height: "7" });
    const items = await readAll(file);
    const got = items.flatMap((i) => (i.kind === "entries" ? i.entries : []));
    expect(got).toEqual(entries);
    expect(items.find((i) => i.kind === "file")).toMatchObject({ name: "signer-state.json" });
    expect(items.at(-1)).toEqual({ kind: "end", trailer: { entries: 3000, height: "7" } });
  });

  it("refuses a file whose content was changed under a valid gzip wrapper (digest mismatch)", async () => {
    const file = join(dir(), "b.fpbak");
    await write(file);
    const raw = gunzipSync(readFileSync(file));
    raw[raw.length - 500] = (raw[raw.length - 500] as number) ^ 1;
    writeFileSync(file, gzipSync(raw));
    await expect(readAll(file)).rejects.toMatchObject({ code: "BACKUP_CORRUPT" });
  });

  it("refuses a truncated file and one that is not a backup", async () => {
    const file = join(dir(), "b.fpbak");
    await write(file);
    const raw = gunzipSync(readFileSync(file));
    writeFileSync(file, gzipSync(raw.subarray(0, raw.length - 40)));
    await expect(readAll(file)).rejects.toMatchObject({ code: "BACKUP_CORRUPT" });
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    await expect(readAll(file)).rejects.toMatchObject({ code: "BACKUP_CORRUPT" });
    writeFileSync(file, "hello");
    await expect(readAll(file)).rejects.toMatchObject({ code: "BACKUP_CORRUPT" });
    writeFileSync(file, gzipSync(Buffer.from("NOTABACKUP and more")));
    await expect(readAll(file)).rejects.toMatchObject({ code: "BACKUP_CORRUPT" });
  });
});

describe("store corruption", () => {
  it("reports a damaged table file as STORE_CORRUPT with a recovery hint, never a raw LevelDB error", async () => {
    const path = join(dir(), "db");
    const store = await openStore(path);
    await store.importEntries(entries.map(([k, v]) => [Uint8Array.of(6, ...k), v]));
    await expect(store.importEntries([[Uint8Array.of(6, 1), Uint8Array.of(1)]])).resolves.toBeUndefined();
    await store.close();
    const again = await openStore(path);
    await expect(again.importEntries([[Uint8Array.of(6), Uint8Array.of(1)]])).rejects.toMatchObject({
      code: "STORE_NOT_EMPTY",
    });
    await again.close();
    expect(await corruptLevelTables(path)).toBeGreaterThan(0);
    const damaged = await openStore(path);
    const drain = async (it: AsyncIterable<unknown>) => {
      for await (const _ of it);
    };
    await expect(drain(damaged.dumpEntries())).rejects.toMatchObject({
      code: "STORE_CORRUPT",
      message: expect.stringMatching(/corrupted/),
    });
    await expect(drain(damaged.stateEntries())).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    await damaged.close();
  });
});
