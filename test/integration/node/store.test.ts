import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, StoreError } from "../../../src/node/store.js";
import { tempDir } from "../../helpers/cli.js";

const b = (...xs: number[]) => new Uint8Array(xs);
const hash = (n: number) => new Uint8Array(32).fill(n);

function block(height: bigint, n: number) {
  return {
    height,
    hash: hash(n),
    block: b(n, n),
    commit: b(n),
    txs: [
      { hash: hash(100 + n), index: 0 },
      { hash: hash(150 + n), index: 0x01020304 },
    ],
    state: [
      { key: b(1), value: b(n) },
      { key: b(2, n), value: b(n) },
    ],
  };
}

describe("block store (real LevelDB in a temp dir)", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("commits blocks atomically and resumes at the same height after reopening", async () => {
    const path = join(dir, "data");
    const s = await openStore(path);
    expect(await s.height()).toBe(0n);
    await s.commitBlock(block(1n, 1));
    await s.commitBlock({ ...block(2n, 2), state: [{ key: b(2, 1), value: null }], meta: { root: b(9) } });
    await s.close();

    const r = await openStore(path);
    expect(await r.height()).toBe(2n);
    expect(await r.blockByHeight(2n)).toEqual(b(2, 2));
    expect(await r.heightByHash(hash(1))).toBe(1n);
    expect(await r.commitAt(1n)).toEqual(b(1));
    expect(await r.txLocation(hash(102))).toEqual({ height: 2n, index: 0 });
    expect(await r.txLocation(hash(151))).toEqual({ height: 1n, index: 0x01020304 });
    expect(await r.getMeta("root")).toEqual(b(9));
    const entries: [Uint8Array, Uint8Array][] = [];
    for await (const e of r.stateEntries()) entries.push(e);
    expect(entries).toEqual([[b(1), b(1)]]);
    expect(await r.blockByHeight(3n)).toBeUndefined();
    await r.close();
  });

  it("refuses a height gap", async () => {
    const s = await openStore(join(dir, "data"));
    await expect(s.commitBlock(block(2n, 2))).rejects.toBeInstanceOf(StoreError);
    await s.close();
  });

  it("refuses a second opener of the same database with STORE_LOCKED", async () => {
    const path = join(dir, "data");
    const s = await openStore(path);
    // (The holder's pid is named across processes: test/e2e/node-start-errors.test.ts. In one process
    // LevelDB's failed second open closes its LOCK fd, which drops the POSIX lock the pid is read from.)
    await expect(openStore(path)).rejects.toMatchObject({
      code: "STORE_LOCKED",
      message: expect.stringContaining("is in use by another fastpos process"),
    });
    await s.close();
  });

  it("reports LevelDB's own reason when a database cannot be opened", async () => {
    const path = join(dir, "data");
    await (await openStore(path)).close();
    writeFileSync(join(path, "CURRENT"), "MANIFEST-424242\n");
    await expect(openStore(path)).rejects.toMatchObject({
      code: "STORE_OPEN_FAILED",
      message: expect.stringMatching(/^cannot open the database .*: .*MANIFEST-424242/),
    });
  });
});
