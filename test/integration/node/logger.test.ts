import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/node/logger.js";
import { tempDir } from "../../helpers/cli.js";

/** Total bytes of the files in `dir`. */
const bytesIn = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

/** The file's text, or "" while it does not exist (between a rotation's rename and reopen). */
const textOf = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

/** Resolves once `cond()` holds, polling up to 30 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((d) => setTimeout(d, 20));
  }
}

describe("node log rotation (real files)", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("keeps a flood of warn lines within maxBytes × (maxFiles + 1), newest lines in node.log", async () => {
    const file = join(dir, "logs", "node.log");
    const maxBytes = 64 * 1024;
    const maxFiles = 3;
    const log = createLogger({ file, level: "info", stderr: false, name: "n", maxBytes, maxFiles });
    // ≈ 25 MB of log lines: 400 times the cap.
    const junk = "x".repeat(200);
    for (let i = 0; i < 100_000; i++) {
      log.warn({ peer: "p", i, junk }, "bad frame");
      if (i % 2000 === 0) await new Promise((d) => setImmediate(d)); // let the async writer drain
    }
    log.warn({ i: "last" }, "the newest line");
    await until(() => textOf(file).includes("the newest line"), "the newest line on disk");
    const files = readdirSync(join(dir, "logs")).sort();
    expect(files).toEqual(["node.log", "node.log.1", "node.log.2", "node.log.3"]);
    // Each rotation happens after the line that crosses maxBytes: one line of slack per file.
    expect(bytesIn(join(dir, "logs"))).toBeLessThanOrEqual((maxBytes + 1024) * (maxFiles + 1));
    // Rotated files hold whole JSON lines, in order: .1 is newer than .2.
    const lines = (f: string) =>
      readFileSync(join(dir, "logs", f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    const first = (f: string) => lines(f)[0].i as number;
    expect(first("node.log.1")).toBeGreaterThan(first("node.log.2"));
    expect(lines("node.log.3").every((l) => l.msg === "bad frame")).toBe(true);
  }, 60_000);

  it("counts what node.log already held when the node starts", async () => {
    const file = join(dir, "node.log");
    writeFileSync(file, `${"{}\n".repeat(40_000)}`); // 120 KB from an earlier run
    const log = createLogger({
      file,
      level: "info",
      stderr: false,
      name: "n",
      maxBytes: 64 * 1024,
      maxFiles: 1,
    });
    log.info({}, "first line of this run");
    await until(() => readdirSync(dir).includes("node.log.1"), "the rotation");
    expect(statSync(join(dir, "node.log.1")).size).toBeGreaterThanOrEqual(120_000);
  });

  it("with maxFiles 0, node.log starts over when full", async () => {
    const file = join(dir, "node.log");
    const log = createLogger({
      file,
      level: "info",
      stderr: false,
      name: "n",
      maxBytes: 64 * 1024,
      maxFiles: 0,
    });
    for (let i = 0; i < 5_000; i++) log.warn({ i, pad: "y".repeat(100) }, "line");
    log.warn({}, "after");
    await until(() => textOf(file).includes('"msg":"after"'), "the last line");
    expect(readdirSync(dir)).toEqual(["node.log"]);
    expect(statSync(file).size).toBeLessThanOrEqual(64 * 1024 + 1024);
  });
});
