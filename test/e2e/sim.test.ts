import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/run.js");
const run = (args: string[]) =>
  execa("node", [BIN, ...args], { reject: false, env: { OCLIF_SKIP_NEW_VERSION_CHECK: "true" } });

describe("fastpos sim (CLI)", () => {
  it("runs a small network and prints the same digest for the same seed", async () => {
    const a = await run(["sim", "--validators", "4", "--heights", "10", "--seed", "5", "--json"]);
    const b = await run(["sim", "--validators", "4", "--heights", "10", "--seed", "5", "--json"]);
    expect(a.exitCode).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.safety.ok).toBe(true);
    expect(JSON.parse(b.stdout).digest).toBe(ja.digest);
    expect(ja.reproduce).toBe("fastpos sim --validators 4 --heights 10 --seed 5 --preset dev");
  }, 120_000);

  it("bad arguments exit 1 with one error line and a hint", async () => {
    const r = await run(["sim", "--preset", "nope"]);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^Error: Expected --preset=nope to be one of/);
    expect(lines[1]).toMatch(/^Hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);

  it("a scenario error names its line; a missing file is one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "validators: 4\nlinks:\n  loss: 2\n");
    const r = await run(["sim", "--scenario", file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/line 3: links\.loss/);
    const m = await run(["sim", "--scenario", join(dir, "none.yaml")]);
    expect(m.exitCode).toBe(1);
    expect(m.stderr.split("\n")[0]).toMatch(/^Error: cannot read scenario .*ENOENT/);
  }, 60_000);

  it("a liveness failure exits 1 and prints the command that reproduces it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-"));
    const file = join(dir, "halt.yaml");
    writeFileSync(file, "validators: 4\nmaxTime: 5s\nfaults:\n  - at: 100ms\n    crash: [1, 2]\n");
    const trace = join(dir, "t.ndjson");
    const r = await run(["sim", "--scenario", file, "--heights", "50", "--seed", "3", "--trace", trace]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `FAILED. Reproduce with: fastpos sim --validators 4 --heights 50 --seed 3 --preset dev --scenario ${file}`,
    );
    const lines = readFileSync(trace, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe("sim");
    expect(lines.some((l) => l.type === "offline")).toBe(true);
    expect(lines.at(-1).type).toBe("summary");
  }, 60_000);

  it("watch --replay plays a trace back: one line per block off a TTY, NDJSON frames with --json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-"));
    const trace = join(dir, "t.ndjson");
    expect((await run(["sim", "--validators", "4", "--heights", "6", "--trace", trace])).exitCode).toBe(0);
    const text = await run(["watch", "--replay", trace]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.match(/^t=\d+ms height \d+ round \d+/gm)).toHaveLength(6);
    expect(text.stdout).toMatch(/replayed 6 heights: safety OK, liveness OK, digest 0x[0-9a-f]{64}/);
    const json = await run(["watch", "--replay", trace, "--json"]);
    const frames = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const last = frames.filter((f) => f.type === "frame").at(-1);
    expect(last.height).toBe(6);
    expect(last.validators).toHaveLength(4);
    writeFileSync(join(dir, "bad.ndjson"), '{"type":"sim","at":0}\nnot json\n');
    const bad = await run(["watch", "--replay", join(dir, "bad.ndjson")]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.split("\n")[0]).toMatch(/line 2: not JSON/);
  }, 120_000);
});
