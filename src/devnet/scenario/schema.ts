import * as z from "zod";
import { FastposError } from "../../core/errors.js";
import { ManifestSchema } from "../manifest.js";

/**
 * Scenario files for `fastpos devnet test` (issue 16; STYLE.md "schema → resolve → act"): YAML checked
 * here with zod, every problem reported with the line it is on. `resolve.ts` turns a scenario and a seed
 * into concrete node choices; `run.ts` acts. The DSL is documented in README "Testing your network".
 */
export type ScenarioErrorType = { code: "SCENARIO_INVALID"; file: string; issues: string[] };
export class ScenarioError extends FastposError<ScenarioErrorType> {}

/** "10s", "500ms", "2m" or a number of seconds → ms. */
export const Duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration like "10s", "500ms", "2m"'),
  ])
  .transform((v) => {
    if (typeof v === "number") return Math.round(v * 1000);
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(v) as RegExpExecArray;
    const n = Number(m[1]);
    return Math.round(m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000);
  });

/** A node: its name (node0…), index, or `random` (chosen from the seed among the nodes that fit). */
const NodeRef = z
  .union([z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "a node name, index or random"), z.int().min(0)])
  .transform(String);
/** In node lists also `@group0`, `@group1`…: the groups of the last partition (the last is the rest). */
const NodeList = z
  .array(z.union([NodeRef, z.string().regex(/^@group\d{1,2}$/, "a node name, index, random or @groupN")]))
  .min(1);
const Op = z.enum(["<", "<=", "==", "!=", ">=", ">"]);
const Amount = z
  .union([z.string().regex(/^\d+$/, "a decimal integer"), z.int().nonnegative()])
  .transform(String);

const UpArgs = ManifestSchema.omit({ name: true }).partial().strict().nullable().default(null);
const LoadArgs = z
  .object({
    rate: z.int().min(1).max(2000),
    duration: Duration,
    accounts: z.int().min(1).max(500).default(8),
    from: z.string().min(1).default("alice"),
    /** Block the scenario until the load (and its drain) is over; by default it runs in the background. */
    wait: z.boolean().default(false),
  })
  .strict();
const PartitionArgs = z.union([
  z.array(NodeList).min(1),
  z
    .object({
      groups: z.array(NodeList).min(1).optional(),
      /** Random groups of these sizes (from the seed); the nodes left over form one more group. */
      random: z.array(z.int().min(1)).min(1).optional(),
      persist: z.boolean().default(false),
    })
    .strict()
    .refine(
      (o) => (o.groups === undefined) !== (o.random === undefined),
      "give exactly one of groups, random",
    ),
]);
const LatencyArgs = z
  .object({
    node: NodeRef.default("all"),
    ms: z.int().min(0).max(60_000),
    jitter: z.int().min(0).max(60_000).default(0),
    loss: z.number().min(0).max(1).default(0),
    persist: z.boolean().default(false),
  })
  .strict();
const AddValidatorArgs = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/)
      .optional(),
    stake: Amount.default("1000000"),
    from: z.string().default("alice"),
  })
  .strict()
  .nullable()
  .default(null);
/** `fastpos devnet byzantine NODE --equivocate KIND --unsafe` (or `--off` for "off"), plus any extra flags. */
const ByzantineArgs = z
  .object({
    node: NodeRef,
    equivocate: z.enum(["prevote", "precommit", "proposal", "off"]).default("prevote"),
    flags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();
const WaitArgs = z
  .object({
    height: z.int().min(1).optional(),
    blocks: z.int().min(1).optional(),
    seconds: z.number().positive().max(3600).optional(),
    /** Wait for the background loads to end (and drain). */
    load: z.literal(true).optional(),
    nodes: NodeList.optional(),
    timeout: Duration.default(60_000),
  })
  .strict()
  .refine(
    (o) => [o.height, o.blocks, o.seconds, o.load].filter((x) => x !== undefined).length === 1,
    "give exactly one of height, blocks, seconds, load",
  );
const within = { within: Duration.default(20_000) };
/** One check per assert step: `{assert: {height: {...}}}`. */
const AssertArgs = z
  .object({
    height: z
      .object({
        nodes: NodeList.optional(),
        advances: z.boolean(),
        by: z.int().min(1).default(1),
        ...within,
        for: Duration.default(5_000),
      })
      .strict(),
    metric: z
      .object({
        node: NodeRef,
        name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name"),
        labels: z.record(z.string(), z.string()).default({}),
        op: Op,
        value: z.number(),
        ...within,
      })
      .strict(),
    validator: z
      .object({ name: z.string().min(1), status: z.enum(["active", "inactive", "jailed"]), ...within })
      .strict(),
    balance: z
      .object({ account: z.string().min(1), op: Op, value: Amount, node: NodeRef.optional(), ...within })
      .strict(),
    log: z
      .object({
        node: NodeRef,
        contains: z.string().min(1).optional(),
        matches: z.string().min(1).optional(),
        lines: z.int().min(1).max(100_000).default(5000),
        ...within,
      })
      .strict()
      .refine(
        (o) => (o.contains === undefined) !== (o.matches === undefined),
        "give exactly one of contains, matches",
      ),
  })
  .partial()
  .strict()
  .refine(
    (o) => Object.keys(o).length === 1,
    "give exactly one check: height, metric, validator, balance or log",
  );

/** Every step kind with the schema of its argument. */
export const STEP_SCHEMAS = {
  up: UpArgs,
  load: LoadArgs,
  kill: NodeRef,
  stop: NodeRef,
  start: NodeRef,
  restart: NodeRef,
  pause: NodeRef,
  resume: NodeRef,
  partition: PartitionArgs,
  heal: z.null().default(null),
  latency: LatencyArgs,
  "add-validator": AddValidatorArgs,
  byzantine: ByzantineArgs,
  wait: WaitArgs,
  assert: AssertArgs,
} as const;
export type StepKind = keyof typeof STEP_SCHEMAS;
export type StepArgs<K extends StepKind> = z.output<(typeof STEP_SCHEMAS)[K]>;
export type Step = { [K in StepKind]: { kind: K; args: StepArgs<K>; name?: string; line: number } }[StepKind];
export type AssertSpec = StepArgs<"assert">;

const InvariantsSchema = z
  .object({
    /** Every running node commits again within this bound after the last heal (and at the end). */
    liveness: z
      .union([z.literal(false), z.object({ within: Duration.default(30_000) }).strict()])
      .default({ within: 30_000 }),
    blockHashes: z.boolean().default(true),
    txInclusion: z.boolean().default(true),
    supply: z.boolean().default(true),
    votes: z.boolean().default(true),
  })
  .strict()
  .default({ liveness: { within: 30_000 }, blockHashes: true, txInclusion: true, supply: true, votes: true });

export const ScenarioHead = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, "lowercase letters, digits and dashes"),
    description: z.string().optional(),
    seed: z.union([z.string(), z.int()]).transform(String).optional(),
    invariants: InvariantsSchema,
    steps: z.array(z.unknown()).min(1, "a scenario needs at least one step"),
  })
  .strict();

export interface Scenario {
  name: string;
  description?: string;
  seed?: string;
  invariants: z.output<typeof InvariantsSchema>;
  steps: Step[];
  file: string;
}
