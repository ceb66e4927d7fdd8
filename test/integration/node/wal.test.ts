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

describe("consensus WAL: what open dropped is reported", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const logger = () => {
    const lines: { level: "warn" | "error"; obj: any; msg: string }[] = [];
    return {
      lines,
      warn: (obj: object, msg = "") => lines.push({ level: "warn", obj, msg }),
      error: (obj: object, msg = "") => lines.push({ level: "error", obj, msg }),
    };
  };

  it("a corrupt first record drops the whole log, and says so at error level", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("first"));
    w.append(enc("second"));
    w.close();
    const total = statSync(path).size;
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(8) ^ 0xff, 8); // the first payload byte
    writeFileSync(path, bytes);
    const log = logger();
    const r = openWal(path, { logger: log });
    expect(r.records).toEqual([]);
    expect(r.dropped).toEqual({ offset: 0, bytes: total, keptRecords: 0, reason: "bad-checksum" });
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: "error", obj: { wal: path, keptRecords: 0, bytes: total } });
    expect(log.lines[0]?.msg).toMatch(/dropped the WHOLE log/);
  });

  it("a torn tail after good records is a warning; a clean log reports nothing", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("a"));
    w.close();
    appendFileSync(path, Buffer.from([0, 0, 0, 50, 1, 2, 3]));
    const log = logger();
    const r = openWal(path, { logger: log });
    expect(r.dropped).toEqual({ offset: 9, bytes: 7, keptRecords: 1, reason: "torn-tail" });
    expect(log.lines.map((l) => l.level)).toEqual(["warn"]);
    r.close();
    const clean = logger();
    expect(openWal(path, { logger: clean }).dropped).toBeNull();
    expect(clean.lines).toEqual([]);
  });

  it("a length no record can have is corruption, reported with the records kept before it", () => {
    const path = join(dir, "wal");
    const w = openWal(path);
    w.append(enc("a"));
    w.close();
    appendFileSync(path, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, ...Buffer.alloc(64)]));
    const log = logger();
    expect(openWal(path, { logger: log }).dropped).toMatchObject({ keptRecords: 1, reason: "bad-length" });
    expect(log.lines[0]).toMatchObject({ level: "error" });
    expect(log.lines[0]?.msg).toMatch(/CORRUPT at byte 9/);
  });
});
