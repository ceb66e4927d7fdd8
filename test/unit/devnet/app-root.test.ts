import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { APP_ROOT, findAppRoot } from "../../../src/devnet/app-root.js";
import { RUN_JS } from "../../../src/devnet/providers/process.js";

const REPO = resolve(import.meta.dirname, "../../..") + sep;
const tmp = mkdtempSync(join(tmpdir(), "fastpos-approot-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("app root", () => {
  it("is this checkout from the sources, and bin/run.js is the node entry point", () => {
    expect(APP_ROOT).toBe(REPO);
    expect(RUN_JS).toBe(join(REPO, "bin", "run.js"));
  });

  it("is found from any depth: a module in dist/, a chunk of the CLI bundle, a nested chunk", () => {
    const app = join(tmp, "app");
    mkdirSync(join(app, "bin"), { recursive: true });
    writeFileSync(join(app, "package.json"), "{}");
    writeFileSync(join(app, "bin", "run.js"), "");
    for (const file of ["dist/devnet/providers/process.js", "dist/chunks/chunk-X.js", "dist/a/b/c/d.js"]) {
      expect(findAppRoot(pathToFileURL(join(app, file)).href)).toBe(app + sep);
    }
  });

  it("skips a package.json that is not the app's (no bin/run.js), and fails clearly when there is none", () => {
    const app = join(tmp, "outer");
    mkdirSync(join(app, "bin"), { recursive: true });
    writeFileSync(join(app, "package.json"), "{}");
    writeFileSync(join(app, "bin", "run.js"), "");
    mkdirSync(join(app, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(app, "node_modules", "dep", "package.json"), "{}");
    expect(findAppRoot(pathToFileURL(join(app, "node_modules", "dep", "index.js")).href)).toBe(app + sep);
    const lone = join(tmp, "lone", "dist");
    mkdirSync(lone, { recursive: true });
    expect(() => findAppRoot(pathToFileURL(join(lone, "x.js")).href)).toThrow(/no fastpos app root/);
  });
});
