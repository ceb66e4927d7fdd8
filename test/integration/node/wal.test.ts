import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openWal } from "../../../src/node/wal.js";
import { tempDir } from "../../helpers/cli.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("consensus WAL (real files)", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("replays appended records in order after reopening", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    for (let i = 0; i < 100; i++) w.append(enc(`rec-${i}`), { sync: i % 10 === 0 });
    w.close();
    const r = openWal(path);
    expect(r.truncatedBytes).toBe(0);
    expect(r.records.map(dec)).toEqual(Array.from({ length: 100 }, (_, i) => `rec-${i}`));
    r.close();
  });

  it("truncates a torn tail (partial record) and keeps appending after the good prefix", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("a"));
    w.append(enc("bb"));
    w.close();
    const good = statSync(path).size;
    appendFileSync(path, Buffer.from([0, 0, 0, 50, 1, 2, 3])); // header promising 50 bytes, then EOF
    const r = openWal(path);
    expect(r.records.map(dec)).toEqual(["a", "bb"]);
    expect(r.truncatedBytes).toBe(7);
    expect(statSync(path).size).toBe(good);
    r.append(enc("ccc"));
    r.close();
    expect(openWal(path).records.map(dec)).toEqual(["a", "bb", "ccc"]);
  });

  it("stops at a record whose checksum does not match", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("first"));
    w.append(enc("second"));
    w.close();
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // flip the last payload byte
    writeFileSync(path, bytes);
    const r = openWal(path);
    expect(r.records.map(dec)).toEqual(["first"]);
    expect(r.truncatedBytes).toBe(8 + "second".length);
  });

  it("reset drops everything; an empty or half-header file opens cleanly", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("x"));
    w.reset();
    w.append(enc("y"));
    w.close();
    expect(openWal(path).records.map(dec)).toEqual(["y"]);
    truncateSync(path, 3);
    const r = openWal(path);
    expect(r.records).toEqual([]);
    expect(r.truncatedBytes).toBe(3);
  });
});
