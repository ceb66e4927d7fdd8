import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Level } from "level";

/**
 * Damages a (closed) LevelDB the way a failing disk would: compacts everything into table files, then
 * flips bytes all through them. Returns how many table files were damaged.
 */
export async function corruptLevelTables(path: string): Promise<number> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  // classic-level has compactRange; abstract-level's types do not list it.
  await (db as unknown as { compactRange(a: Uint8Array, b: Uint8Array): Promise<void> }).compactRange(
    Uint8Array.of(0),
    Uint8Array.of(0xff),
  );
  await db.close();
  const tables = readdirSync(path).filter((f) => f.endsWith(".ldb"));
  for (const f of tables) {
    const b = readFileSync(join(path, f));
    for (let i = 50; i < b.length; i += 101) b[i] = (b[i] as number) ^ 0xff;
    // The footer too (index handle and magic number, the last 48 bytes): flipped bytes inside data blocks
    // alone may miss every block a starting node reads (LevelDB does not verify block checksums on reads
    // by default), and then the node starts on the damaged files; a bad footer fails every table's open.
    for (let i = Math.max(0, b.length - 48); i < b.length; i++) b[i] = (b[i] as number) ^ 0xff;
    writeFileSync(join(path, f), b);
  }
  return tables.length;
}
