import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The error paths of `npm run bench:compare` as a user meets them (the full comparison builds a second tree
// and runs minutes of load, so it is exercised by hand; see README "Performance").
const ROOT = resolve(import.meta.dirname, "../..");
const compare = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bench/compare.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });

describe("npm run bench:compare", () => {
  it("rejects an unknown ref with one line and exit 1, before building anything", () => {
    const r = compare("no-such-ref-0123");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^bench:compare: unknown git ref "no-such-ref-0123" \(hint: .*\)\n$/);
  });

  it("rejects a bad option with one line and exit 1", () => {
    const r = compare("main", "--pairs", "0");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("bench:compare: --pairs takes an integer from 1 to 10, got 0\n");
  });

  it("prints its usage with --help", () => {
    const r = compare("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench:compare -- \[REF\]/);
  });
});
