import { type Document, LineCounter, parseDocument } from "yaml";
import * as z from "zod";
import { FastposError } from "../core/errors.js";
import {
  BEHAVIOURS,
  type Behaviour,
  type Fault,
  type FaultAction,
  type LinkModel,
  type SimConfig,
} from "./config.js";

/**
 * Scenario files of `fastpos sim --scenario FILE` (issue 21): YAML, checked with zod, every problem named
 * with its line (the `yaml` package keeps source ranges), all problems reported at once — the same
 * approach as `devnet test` scenarios (devnet/scenario/parse.ts; not imported: sim/ may import only core).
 * The format is documented in docs/simulation.md.
 */
export type SimScenarioErrorType = { code: "SIM_SCENARIO_INVALID"; file: string; issues: string[] };
export class SimScenarioError extends FastposError<SimScenarioErrorType> {}

/** "150ms", "2s", "1m" or a number of milliseconds. */
const Ms = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration like "150ms", "2s", "1m"'),
  ])
  .transform((v) => {
    if (typeof v === "number") return Math.round(v);
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(v) as RegExpExecArray;
    const n = Number(m[1]);
    return Math.round(m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000);
  });
/** Validator indexes: 3, "v3", or a range "0..32". */
const NodeRefs = z
  .array(
    z.union([
      z.int().min(0),
      z.string().regex(/^(v?\d+|\d+\.\.\d+)$/, 'a validator index, "v3" or a range "0..32"'),
    ]),
  )
  .min(1)
  .transform((refs) =>
    refs.flatMap((r) => {
      if (typeof r === "number") return [r];
      const range = /^(\d+)\.\.(\d+)$/.exec(r);
      if (!range) return [Number(r.replace(/^v/, ""))];
      const out: number[] = [];
      for (let i = Number(range[1]); i <= Number(range[2]); i++) out.push(i);
      return out;
    }),
  );
const Fraction = z.number().min(0).max(1);
const Links = z
  .object({
    latency: Ms.optional(),
    spread: Fraction.optional(),
    jitter: Ms.optional(),
    dist: z.enum(["uniform", "normal", "exponential"]).optional(),
    loss: Fraction.optional(),
    duplicate: Fraction.optional(),
  })
  .strict();
const BehaviourSchema = z.union([
  z.enum(BEHAVIOURS),
  z
    .object({
      kind: z.enum(BEHAVIOURS),
      delay: Ms.optional(),
      count: z.int().min(1).max(10_000).optional(),
      share: Fraction.optional(),
    })
    .strict(),
]);
const Byzantine = z.object({ nodes: NodeRefs, behaviours: z.array(BehaviourSchema).min(1) }).strict();
const At = z.union([Ms.transform((timeMs) => ({ timeMs })), z.object({ height: z.int().min(1) }).strict()]);
const ACTIONS = {
  crash: NodeRefs,
  restart: NodeRefs,
  honest: NodeRefs,
  partition: z.array(NodeRefs).min(1),
  heal: z.literal(true),
  links: Links,
  byzantine: Byzantine,
} as const;
type ActionKind = keyof typeof ACTIONS;

const Head = z
  .object({
    validators: z.int().min(1).max(1000).optional(),
    heights: z.int().min(1).max(1_000_000).optional(),
    seed: z
      .union([z.string().min(1), z.int()])
      .transform(String)
      .optional(),
    preset: z.enum(["dev", "test", "mainnet-like"]).optional(),
    timeouts: z
      .object({
        propose: Ms.optional(),
        prevote: Ms.optional(),
        precommit: Ms.optional(),
        commitWait: Ms.optional(),
      })
      .strict()
      .optional(),
    epochLength: z.int().min(1).optional(),
    stake: z.record(z.string().regex(/^\d+$/, "a validator index"), z.int().min(1)).optional(),
    workWeight: z
      .record(z.string().regex(/^\d+$/, "a validator index"), z.int().min(0).max(1_000_000))
      .optional(),
    links: Links.optional(),
    gossip: Ms.optional(),
    load: z
      .object({ rate: z.number().min(0).max(100_000) })
      .strict()
      .optional(),
    byzantine: z.array(Byzantine).optional(),
    faults: z.array(z.unknown()).optional(),
    maxTime: Ms.optional(),
    futureBuffer: z
      .object({ perPeer: z.int().min(0), window: z.int().min(0) })
      .strict()
      .optional(),
  })
  .strict();

/** What a scenario sets; flags given on the command line win over it. */
export type ScenarioSettings = Partial<Omit<SimConfig, "links">> & { links?: Partial<LinkModel> };

export function parseSimScenario(text: string, file = "(scenario)"): ScenarioSettings {
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
      const path = [...base, ...(i.path as (string | number)[])];
      const msg =
        i.code === "unrecognized_keys"
          ? `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(", ")}`
          : i.message;
      return `line ${lineOf(path)}: ${pathText(path)}: ${msg}`;
    });
  const head = Head.safeParse(doc.toJS() ?? {});
  if (!head.success) throw invalid(file, zodIssues(head.error, []));
  const h = head.data;
  const faults: Fault[] = [];
  (h.faults ?? []).forEach((raw, i) => {
    const r = faultOf(raw, i, lineOf(["faults", i]), zodIssues);
    if (typeof r === "string") issues.push(r);
    else faults.push(r);
  });
  const n = h.validators;
  const check = (nodes: number[], path: (string | number)[]) => {
    const bad = n === undefined ? [] : nodes.filter((x) => x >= n);
    if (bad.length)
      issues.push(
        `line ${lineOf(path)}: ${pathText(path)}: validator ${bad[0]} does not exist (validators: ${n})`,
      );
  };
  (h.faults ?? []).forEach((_raw, i) => {
    const f = faults.find((x) => x.index === i);
    if (!f) return;
    if ("nodes" in f) check(f.nodes, ["faults", i]);
    if (f.kind === "partition") check(f.groups.flat(), ["faults", i]);
  });

  for (const [i, b] of (h.byzantine ?? []).entries()) check(b.nodes, ["byzantine", i, "nodes"]);
  if (issues.length) throw invalid(file, issues);
  const out: ScenarioSettings = { faults };
  if (h.validators !== undefined) out.validators = h.validators;
  if (h.heights !== undefined) out.heights = h.heights;
  if (h.seed !== undefined) out.seed = h.seed;
  if (h.preset !== undefined) out.preset = h.preset;
  if (h.timeouts) out.timeouts = h.timeouts;
  if (h.epochLength !== undefined) out.epochLength = h.epochLength;
  if (h.links) out.links = linksOf(h.links);
  if (h.gossip !== undefined) out.gossipMs = h.gossip;
  if (h.load) out.txRate = h.load.rate;
  if (h.maxTime !== undefined) out.maxTimeMs = h.maxTime;
  if (h.futureBuffer) out.futureBuffer = h.futureBuffer;
  if (h.byzantine)
    out.byzantine = h.byzantine.map((b) => ({ nodes: b.nodes, behaviours: b.behaviours.map(behaviourOf) }));
  if (h.stake) out.stakes = indexMap(h.stake, (v) => BigInt(v)) as bigint[];
  if (h.workWeight) out.workWeights = indexMap(h.workWeight, (v) => v) as number[];
  return out;
}

/** Link fields of a scenario, in the config's names (a partial: the preset fills the rest). */
export function linksOf(l: z.output<typeof Links>): Partial<LinkModel> {
  const out: Partial<LinkModel> = {};
  if (l.latency !== undefined) out.latencyMs = l.latency;
  if (l.spread !== undefined) out.spread = l.spread;
  if (l.jitter !== undefined) out.jitterMs = l.jitter;
  if (l.dist !== undefined) out.dist = l.dist;
  if (l.loss !== undefined) out.loss = l.loss;
  if (l.duplicate !== undefined) out.duplicate = l.duplicate;
  return out;
}

function behaviourOf(b: z.output<typeof BehaviourSchema>): Behaviour {
  if (typeof b === "string") return { kind: b };
  return {
    kind: b.kind,
    ...(b.delay !== undefined ? { delayMs: b.delay } : {}),
    ...(b.count !== undefined ? { count: b.count } : {}),
    ...(b.share !== undefined ? { share: b.share } : {}),
  };
}

/** {"3": x} → a sparse array; missing entries fall back to the default where it is used. */
function indexMap<T, U>(m: Record<string, T>, f: (v: T) => U): (U | undefined)[] {
  const out: (U | undefined)[] = [];
  for (const [k, v] of Object.entries(m)) out[Number(k)] = f(v);
  return out;
}

function faultOf(
  raw: unknown,
  i: number,
  line: number,
  zodIssues: (err: z.ZodError, base: (string | number)[]) => string[],
): Fault | string {
  const kinds = Object.keys(ACTIONS).join(", ");
  const where = `line ${line}: faults[${i}]`;
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    return `${where}: a fault is a map like {at: 10s, crash: [1]}`;
  const o = raw as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => k !== "at");
  if (o.at === undefined) return `${where}: missing "at" (a time like 10s, or {height: 20})`;
  if (keys.length !== 1)
    return `${where}: a fault has exactly one action (${kinds}), got ${keys.join(", ") || "none"}`;
  const kind = keys[0] as string;
  if (!Object.hasOwn(ACTIONS, kind)) return `${where}: unknown action "${kind}" (actions: ${kinds})`;
  const at = At.safeParse(o.at);
  if (!at.success) return zodIssues(at.error, ["faults", i, "at"]).join("; ");
  const parsed = ACTIONS[kind as ActionKind].safeParse(o[kind]);
  if (!parsed.success) return zodIssues(parsed.error, ["faults", i, kind]).join("; ");
  const v = parsed.data as never;
  let action: FaultAction;
  switch (kind as ActionKind) {
    case "crash":
    case "restart":
    case "honest":
      action = { kind: kind as "crash", nodes: v };
      break;
    case "partition":
      action = { kind: "partition", groups: v };
      break;
    case "heal":
      action = { kind: "heal" };
      break;
    case "links":
      action = { kind: "links", links: linksOf(v) };
      break;
    case "byzantine": {
      const b = v as z.output<typeof Byzantine>;
      action = { kind: "byzantine", nodes: b.nodes, behaviours: b.behaviours.map(behaviourOf) };
      break;
    }
  }
  return { ...action, at: at.data, line, index: i };
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

function invalid(file: string, issues: string[]): SimScenarioError {
  return new SimScenarioError(
    { code: "SIM_SCENARIO_INVALID", file, issues },
    `invalid scenario ${file}: ${issues.join("; ")}`,
  );
}
