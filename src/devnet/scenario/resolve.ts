import { createScenarioRng } from "./rng.js";
import { type Scenario, ScenarioError, type Step, type StepArgs } from "./schema.js";

/**
 * Scenario + seed → concrete plan (STYLE.md "schema → resolve → act"). Pure: it walks the steps with a model
 * of which nodes are running, stopped or paused, so `kill: random` picks among running nodes, `start:
 * random` among stopped ones, and `partition: {random: [2]}` shuffles the node list — all from the seed,
 * hence the same plan on every run. Node indices become names; unknown names are errors naming the line.
 */
export type NodeState = "running" | "stopped" | "paused";

export type ResolvedStep = Step & {
  /** One line for the report: "kill node2 (random)". */
  label: string;
  /** Node names for node-taking steps, groups for partitions. */
  node?: string;
  groups?: string[][];
  /** Nodes of `wait`/`assert height` (default: the nodes running at that point). */
  nodes?: string[];
};

const LIFECYCLE = {
  kill: { from: ["running", "paused"], to: "stopped" },
  stop: { from: ["running", "paused"], to: "stopped" },
  start: { from: ["stopped"], to: "running" },
  restart: { from: ["running", "stopped"], to: "running" },
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
} as const satisfies Record<string, { from: NodeState[]; to: NodeState }>;

/**
 * @param initial the devnet's nodes and states before the first step (for a scenario that starts with
 *   `up`: its validators, all running).
 * @throws ScenarioError SCENARIO_INVALID with the line of each step that cannot be resolved.
 */
export function resolveScenario(
  s: Scenario,
  seed: string,
  initial: { name: string; state: NodeState }[],
): ResolvedStep[] {
  const rng = createScenarioRng(seed);
  const states = new Map(initial.map((n) => [n.name, n.state] as const));
  const issues: string[] = [];
  const out: ResolvedStep[] = [];
  let lastGroups: string[][] | undefined;
  for (const [i, step] of s.steps.entries()) {
    const fail = (msg: string) => issues.push(`line ${step.line}: steps[${i}] (${step.kind}): ${msg}`);
    const names = () => [...states.keys()];
    const ref = (
      r: string,
      fit: readonly NodeState[] = ["running", "stopped", "paused"],
    ): string | undefined => {
      if (r === "random") {
        const pool = names().filter((n) => fit.includes(states.get(n) as NodeState));
        if (pool.length) return rng.pick(pool);
        fail(`no ${fit.join(" or ")} node to choose from`);
        return undefined;
      }
      const name = /^\d+$/.test(r) ? names()[Number(r)] : r;
      if (name !== undefined && states.has(name)) return name;
      fail(`no node "${r}" (nodes: ${names().join(", ")})`);
      return undefined;
    };
    const done = (extra: Partial<ResolvedStep>, label: string) =>
      out.push({ ...step, ...extra, label: step.name ?? label } as ResolvedStep);
    switch (step.kind) {
      case "kill":
      case "stop":
      case "start":
      case "restart":
      case "pause":
      case "resume": {
        const rule = LIFECYCLE[step.kind];
        const node = ref(step.args, rule.from);
        if (node === undefined) break;
        states.set(node, rule.to);
        done({ node }, `${step.kind} ${node}${step.args === "random" ? " (random)" : ""}`);
        break;
      }
      case "partition": {
        const groups = partitionGroups(step.args, names(), rng, fail, (r) => ref(r));
        if (groups) lastGroups = groups;
        if (groups) done({ groups }, `partition ${groups.map((g) => g.join(",")).join(" | ")}`);
        break;
      }
      case "latency": {
        const node = step.args.node === "all" ? "all" : ref(step.args.node);
        if (node === undefined) break;
        const a = step.args;
        done(
          { node },
          `latency ${node} ${a.ms} ms${a.jitter ? ` ± ${a.jitter}` : ""}${a.loss ? `, loss ${a.loss}` : ""}`,
        );
        break;
      }
      case "add-validator": {
        const name = step.args?.name ?? `node${states.size}`;
        if (states.has(name)) {
          fail(`node ${name} exists already`);
          break;
        }
        states.set(name, "running");
        done({ node: name }, `add-validator ${name}`);
        break;
      }
      case "byzantine": {
        const node = ref(step.args.node, ["running"]);
        if (node !== undefined) done({ node }, `byzantine ${node}`);
        break;
      }
      case "wait":
      case "assert": {
        const list = step.kind === "wait" ? step.args.nodes : step.args.height?.nodes;
        const group = (r: string) => {
          const g = lastGroups?.[Number(r.slice(6))];
          if (!g)
            fail(
              `${r}: ${lastGroups ? `the last partition has ${lastGroups.length} groups` : "no partition before this step"}`,
            );
          return g ?? [undefined];
        };
        const nodes = (list ?? names().filter((n) => states.get(n) === "running")).flatMap((r) =>
          r.startsWith("@group") ? group(r) : [ref(r)],
        );
        const single =
          step.kind === "assert" ? (step.args.metric ?? step.args.log ?? step.args.balance)?.node : undefined;
        const node = single === undefined ? undefined : ref(single, ["running"]);
        if (nodes.includes(undefined) || (single !== undefined && node === undefined)) break;
        done(
          { nodes: nodes as string[], ...(node ? { node } : {}) },
          describe(step, nodes as string[], node),
        );
        break;
      }
      default:
        done({}, step.kind);
    }
  }
  if (issues.length)
    throw new ScenarioError(
      { code: "SCENARIO_INVALID", file: s.file, issues },
      `invalid scenario ${s.file}: ${issues.join("; ")}`,
    );
  return out;
}

function partitionGroups(
  a: StepArgs<"partition">,
  all: string[],
  rng: ReturnType<typeof createScenarioRng>,
  fail: (m: string) => void,
  ref: (r: string) => string | undefined,
): string[][] | undefined {
  const given = Array.isArray(a) ? a : a.groups;
  let groups: string[][];
  if (given) {
    const named = given.map((g) => g.map(ref));
    if (named.flat().includes(undefined)) return undefined;
    groups = named as string[][];
  } else {
    const sizes = (a as { random: number[] }).random;
    if (sizes.reduce((x, y) => x + y, 0) > all.length) {
      fail(`random groups of ${sizes.join("+")} nodes need more than the ${all.length} nodes there are`);
      return undefined;
    }
    const shuffled = rng.shuffle(all);
    groups = sizes.map((n) => shuffled.splice(0, n).sort());
  }
  const flat = groups.flat();
  if (new Set(flat).size !== flat.length) {
    fail("a node is in two groups");
    return undefined;
  }
  const rest = all.filter((n) => !flat.includes(n));
  if (rest.length) groups.push(rest);
  if (groups.length < 2) {
    fail("a partition needs at least two groups");
    return undefined;
  }
  return groups;
}

function describe(step: Step, nodes: string[], node: string | undefined): string {
  if (step.kind === "wait") {
    const a = step.args;
    if (a.seconds !== undefined) return `wait ${a.seconds} s`;
    if (a.load) return "wait for the load";
    return `wait ${a.height !== undefined ? `height ${a.height}` : `${a.blocks} blocks`} on ${nodes.join(",")}`;
  }
  if (step.kind !== "assert") return step.kind;
  const a = step.args;
  if (a.height) return `assert height ${a.height.advances ? "advances" : "stays"} on ${nodes.join(",")}`;
  if (a.metric) return `assert ${node} ${a.metric.name} ${a.metric.op} ${a.metric.value}`;
  if (a.validator) return `assert validator ${a.validator.name} is ${a.validator.status}`;
  if (a.balance) return `assert balance of ${a.balance.account} ${a.balance.op} ${a.balance.value}`;
  return `assert ${node} log ${a.log?.contains !== undefined ? `contains "${a.log.contains}"` : `matches /${a.log?.matches}/`}`;
}
