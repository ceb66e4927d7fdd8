import { readFileSync } from "node:fs";
import { type Document, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import {
  type Scenario,
  ScenarioError,
  ScenarioHead,
  STEP_SCHEMAS,
  type Step,
  type StepKind,
} from "./schema.js";

/**
 * YAML text → a checked `Scenario`. Every problem names its line (the `yaml` package keeps each node's
 * source range) and its path, e.g. `line 12: steps[3].load.rate: Too small: expected number to be >=1`;
 * all problems are reported at once.
 */
export function parseScenario(text: string, file = "(scenario)"): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const issues: string[] = doc.errors.map(
    // The yaml package's first line ends "at line L, column C:" before a code excerpt: the line is said once.
    (e) =>
      `line ${e.linePos?.[0].line ?? "?"}: ${(e.message.split("\n")[0] ?? "").replace(/( at line \d+, column \d+)?:?$/, "")}`,
  );
  if (issues.length) throw invalid(file, issues);
  const lineOf = (path: (string | number)[]) => nodeLine(doc, lines, path);
  const zodIssues = (err: z.ZodError, base: (string | number)[]) =>
    err.issues.map((i) => {
      const keys = i.code === "unrecognized_keys" ? i.keys : [undefined];
      return keys
        .map((k) => {
          const path = [...base, ...(i.path as (string | number)[]), ...(k === undefined ? [] : [k])];
          const msg = i.code === "unrecognized_keys" ? `unknown key "${k}"` : i.message;
          return `line ${lineOf(path)}: ${pathText(path)}: ${msg}`;
        })
        .join("; ");
    });
  const head = ScenarioHead.safeParse(doc.toJS() ?? {});
  if (!head.success) throw invalid(file, zodIssues(head.error, []));
  const steps: Step[] = [];
  for (const [i, raw] of head.data.steps.entries()) {
    const base = ["steps", i];
    const line = lineOf(base);
    const r = stepOf(raw);
    if (typeof r === "string") {
      issues.push(`line ${line}: ${pathText(base)}: ${r}`);
      continue;
    }
    const parsed = STEP_SCHEMAS[r.kind].safeParse(r.value);
    if (parsed.success)
      steps.push({ kind: r.kind, args: parsed.data, line, ...(r.name ? { name: r.name } : {}) } as Step);
    else issues.push(...zodIssues(parsed.error, typeof raw === "string" ? base : [...base, r.kind]));
  }
  if (issues.length) throw invalid(file, issues);
  const { steps: _raw, ...rest } = head.data;
  return { ...rest, steps, file } as Scenario;
}

/** Reads and parses a scenario file. */
export function readScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw invalid(file, [
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    ]);
  }
  return parseScenario(text, file);
}

/** A step is `kind` (a string) or a map with one kind key and an optional `name`. */
function stepOf(raw: unknown): { kind: StepKind; value: unknown; name?: string } | string {
  const kinds = Object.keys(STEP_SCHEMAS).join(", ");
  if (typeof raw === "string")
    return isKind(raw) ? { kind: raw, value: undefined } : `unknown step "${raw}" (steps: ${kinds})`;
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    return `a step is a name or a map like {kill: node2} (steps: ${kinds})`;
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => k !== "name");
  if (keys.length !== 1)
    return `a step has exactly one kind, got ${keys.length ? keys.join(", ") : "none"} (steps: ${kinds})`;
  const kind = keys[0] as string;
  if (!isKind(kind)) return `unknown step "${kind}" (steps: ${kinds})`;
  if (o.name !== undefined && typeof o.name !== "string") return "name must be a string";
  return { kind, value: o[kind], ...(typeof o.name === "string" ? { name: o.name } : {}) };
}

function isKind(s: string): s is StepKind {
  return Object.hasOwn(STEP_SCHEMAS, s);
}

/** Line of the deepest node on `path` that exists (a missing key points at its parent). */
function nodeLine(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return 1;
}

function pathText(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(root)";
}

function invalid(file: string, issues: string[]): ScenarioError {
  return new ScenarioError(
    { code: "SCENARIO_INVALID", file, issues },
    `invalid scenario ${file}: ${issues.join("; ")}`,
  );
}
