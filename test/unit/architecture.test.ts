import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Enforces DESIGN.md §1: imports point down the layer list only, and `core/` stays pure and deterministic.
 * A failing case names the file, the import and the rule.
 */
const SRC = resolve(import.meta.dirname, "../../src");

/** Layer of a src-relative path: the first folder, or core/<sub>. */
function layerOf(srcPath: string): string {
  // The core barrel re-exports the core layers for users; nothing inside core may import it.
  if (srcPath === "core/index.ts" || srcPath === "core/index.js") return "core/barrel";
  const parts = srcPath.split("/");
  if (parts[0] === "core") return parts.length > 2 ? `core/${parts[1]}` : "core";
  return parts.length > 1 ? (parts[0] as string) : "root";
}

/** Which layers each layer may import (besides itself). `core` is the shared leaf `core/errors.ts`. */
const ALLOWED_LAYERS: Record<string, string[]> = {
  core: [],
  "core/codec": ["core"],
  "core/crypto": ["core", "core/codec"],
  "core/chain": ["core", "core/codec", "core/crypto"],
  "core/consensus": ["core", "core/codec", "core/crypto", "core/chain"],
  // The API contract (types only) sits in core so that both node/ and client/ may import it.
  "core/api": ["core", "core/codec", "core/crypto", "core/chain", "core/consensus"],
  "core/barrel": ["core", "core/codec", "core/crypto", "core/chain", "core/consensus"],
  "core/sim": ["core", "core/codec", "core/crypto", "core/chain", "core/consensus"],
  keystore: ["core/barrel", "core", "core/codec", "core/crypto"],
  node: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
  ],
  client: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
  ],
  devnet: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
    "client",
    // devnet writes node homes (node/home.ts) for the nodes it starts.
    "node",
  ],
  tui: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "client",
  ],
  cli: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
    "client",
    "devnet",
    "tui",
    "node",
  ],
  commands: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
    "client",
    "devnet",
    "tui",
    "node",
    "cli",
    // `fastpos sim` runs the simulator (DESIGN.md §1: sim/ is used by its command only).
    "sim",
  ],
  sim: ["core", "core/codec", "core/crypto", "core/chain", "core/consensus"],
  root: [
    "core/barrel",
    "core",
    "core/codec",
    "core/crypto",
    "core/chain",
    "core/consensus",
    "core/api",
    "keystore",
    "client",
    "devnet",
    "node",
  ],
};

/** Packages allowed in each core layer (DESIGN.md §1). Everything else is forbidden in core. */
const CORE_PACKAGES: Record<string, RegExp> = {
  core: /^$/,
  "core/codec": /^$/,
  "core/crypto": /^(@noble\/|@scure\/|node:crypto$)/,
  "core/chain": /^zod$/,
  "core/consensus": /^$/,
  "core/api": /^$/,
  "core/barrel": /^$/,
};

/** Non-deterministic or I/O APIs that must never appear in core (STYLE.md "Pure core"). */
const CORE_FORBIDDEN_CALLS = [
  /\bDate\.now\s*\(/,
  /\bnew Date\s*\(/,
  /\bMath\.random\s*\(/,
  /\bperformance\.now\s*\(/,
  /\bprocess\.(env|hrtime|argv|cwd)\b/,
  /\bsetTimeout\s*\(/,
  /\bsetInterval\s*\(/,
  /\bparseFloat\s*\(/,
  /\bcrypto\.(randomBytes|getRandomValues|randomUUID)\b/,
];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|\s)(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/**
 * Statements of a types-only module that would emit code: value imports/exports, functions, classes, enums,
 * and any `const`/`let`/`var` other than `export const NAME = "literal" as const`.
 */
function runtimeCodeIn(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?\bfrom\b[^;]*;/gm))
    found.push(`value ${m[1]}: ${m[0].trim()}`);
  for (const m of code.matchAll(/^\s*(?:export\s+)?(?:async\s+)?(function|class|enum|let|var)\b.*$/gm))
    found.push(`runtime ${m[1]}: ${m[0].trim()}`);
  for (const m of code.matchAll(/^\s*(?:export\s+)?const\b.*$/gm))
    if (!/^\s*export\s+const\s+\w+\s*=\s*"[^"]*"\s+as\s+const;\s*$/.test(m[0]))
      found.push(`runtime const: ${m[0].trim()}`);
  return found;
}

const files = listFiles(SRC).map((abs) => ({ abs, rel: relative(SRC, abs) }));

describe("architecture (DESIGN.md §1)", () => {
  it("finds the source tree", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it("imports only point down the layer list", () => {
    const violations: string[] = [];
    for (const { abs, rel } of files) {
      const from = layerOf(rel);
      const allowed = ALLOWED_LAYERS[from];
      if (!allowed) {
        violations.push(
          `${rel}: folder "${from}" is not a known layer (add it to DESIGN.md §1 and this test)`,
        );
        continue;
      }
      for (const spec of importsOf(readFileSync(abs, "utf8"))) {
        if (spec.startsWith(".")) {
          const target = layerOf(relative(SRC, resolve(dirname(abs), spec)));
          if (target !== from && !allowed.includes(target)) {
            violations.push(`${rel}: imports ${spec} (layer ${target}), not allowed from ${from}`);
          }
        } else if (from.startsWith("core")) {
          const ok = CORE_PACKAGES[from];
          if (!ok?.test(spec)) violations.push(`${rel}: core layer ${from} imports package "${spec}"`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("core never reads the clock, randomness, env or timers", () => {
    const violations: string[] = [];
    for (const { abs, rel } of files.filter((f) => f.rel.startsWith("core/"))) {
      const code = stripComments(readFileSync(abs, "utf8"));
      for (const re of CORE_FORBIDDEN_CALLS) if (re.test(code)) violations.push(`${rel}: uses ${re.source}`);
    }
    expect(violations).toEqual([]);
  });

  it("sim/ is deterministic: no clock, Math.random, env or timers; packages: only node:crypto (signing), yaml, zod", () => {
    const violations: string[] = [];
    const sim = files.filter((f) => f.rel.startsWith("sim/"));
    expect(sim.length).toBeGreaterThan(0);
    for (const { abs, rel } of sim) {
      const source = readFileSync(abs, "utf8");
      const code = stripComments(source);
      for (const re of CORE_FORBIDDEN_CALLS) if (re.test(code)) violations.push(`${rel}: uses ${re.source}`);
      // The verification pool may use threads: a verdict is pure, so where it is computed changes nothing.
      // (tsx: only to load the worker from the TypeScript sources, in tests.)
      const allowed = /^sim\/verify-(pool|worker)\.ts$/.test(rel)
        ? /^(node:crypto|node:os|node:worker_threads|tsx\/esm\/api)$/
        : /^(node:crypto|yaml|zod)$/;
      for (const spec of importsOf(source))
        if (!spec.startsWith(".") && !allowed.test(spec))
          violations.push(`${rel}: imports package "${spec}"`);
    }
    expect(violations).toEqual([]);
  });

  it("the API contract (core/api) is types only: type imports, and no runtime code but `as const` names", () => {
    const violations: string[] = [];
    const contract = files.filter((f) => f.rel.startsWith("core/api/"));
    expect(contract.length).toBeGreaterThan(0);
    for (const { abs, rel } of contract) {
      for (const v of runtimeCodeIn(stripComments(readFileSync(abs, "utf8"))))
        violations.push(`${rel}: ${v}`);
    }
    expect(violations).toEqual([]);
  });

  it("paths next to a module's own URL survive the CLI bundle (only the ones that name their folder)", () => {
    // `npm run build:bundle` moves shared code into dist/chunks/, so `new URL("../../x", import.meta.url)`
    // would point somewhere else there than in src/ or dist/. Find the app root (devnet/app-root.ts) or
    // name a sibling folder from one level down, as the simulator's worker does.
    const allowed = new Map([["sim/verify-pool.ts", /^`\.\.\/sim\/verify-worker\./]]);
    const violations: string[] = [];
    for (const { abs, rel } of files) {
      const code = stripComments(readFileSync(abs, "utf8"));
      for (const m of code.matchAll(/new URL\(\s*([^,]+),\s*import\.meta\.url\s*\)/g)) {
        if (!allowed.get(rel)?.test((m[1] as string).trim())) violations.push(`${rel}: ${m[0]}`);
      }
      if (/import\.meta\.(dirname|filename)\b/.test(code))
        violations.push(`${rel}: import.meta.dirname/filename`);
    }
    expect(violations).toEqual([]);
  });

  it("the checker itself catches a forbidden import (self-test)", () => {
    expect(importsOf('import { Level } from "level";\nimport x from "../node/db.js";')).toEqual([
      "level",
      "../node/db.js",
    ]);
    expect(CORE_PACKAGES["core/chain"]?.test("level")).toBe(false);
    expect(CORE_FORBIDDEN_CALLS.some((re) => re.test("const t = Date.now();"))).toBe(true);
    expect(runtimeCodeIn('import { x } from "./a.js";\nexport function f() {}')).toHaveLength(2);
    expect(runtimeCodeIn('import type { x } from "./a.js";\nexport const P = "/v1/x" as const;')).toEqual([]);
  });
});
