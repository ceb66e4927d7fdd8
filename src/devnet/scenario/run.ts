import { randomBytes } from "node:crypto";
import { devnetDown } from "../control.js";
import type { DockerNetworkMode } from "../providers/docker.js";
import { providerFor } from "../providers/index.js";
import type { ProviderKind } from "../providers/types.js";
import { pickDevnet } from "../state.js";
import { heightOf, type RunContext, type RunnerHooks } from "./context.js";
import { createEventCollector } from "./events.js";
import type { CheckResult } from "./invariants.js";
import type { LoadStats } from "./load.js";
import { type NodeState, type ResolvedStep, resolveScenario } from "./resolve.js";
import { type Scenario, ScenarioError } from "./schema.js";
import { runStep } from "./steps.js";
import { verifyInvariants } from "./verify.js";

/**
 * `fastpos devnet test FILE.yaml` (issue 16): resolve the scenario with its seed, run the steps in order
 * (the first failure skips the rest), check the built-in invariants, and tear down the devnet it made.
 * The report says exactly what ran, with which node choices, so a run can be repeated with its seed.
 */
export interface RunOptions {
  home: string;
  scenario: Scenario;
  seed?: string | undefined;
  /** Existing devnet (scenario without `up`), or the name `up` gives the new one. */
  devnet?: string | undefined;
  provider?: ProviderKind | undefined;
  network?: DockerNetworkMode | undefined;
  image?: string | undefined;
  /** Leave the devnet running afterwards. */
  keep?: boolean | undefined;
  hooks: RunnerHooks;
  /** Progress lines (the command prints them on stderr). */
  log?: (line: string) => void;
}

export interface ScenarioReport {
  scenario: string;
  file: string;
  seed: string;
  devnet: string;
  provider: ProviderKind;
  passed: boolean;
  durationMs: number;
  steps: (CheckResult & { line: number })[];
  invariants: CheckResult[];
  loads: LoadStats[];
}

export async function runScenario(o: RunOptions): Promise<ScenarioReport> {
  const started = performance.now();
  const s = o.scenario;
  const seed = o.seed ?? s.seed ?? randomBytes(4).toString("hex");
  const log = o.log ?? (() => {});
  const ctx: RunContext = {
    home: o.home,
    seed,
    fromHeight: 1n,
    loads: [],
    paused: new Set(),
    byzantine: new Set(),
    lastHeal: null,
    hooks: o.hooks,
    log,
  };
  const upIndex = s.steps.findIndex((x) => x.kind === "up");
  if (upIndex > 0) {
    const line = s.steps[upIndex]?.line;
    throw new ScenarioError(
      { code: "SCENARIO_INVALID", file: s.file, issues: [`line ${line}: up must be the first step`] },
      `invalid scenario ${s.file}: line ${line}: up must be the first step`,
    );
  }
  let initial: { name: string; state: NodeState }[];
  let name: string;
  if (upIndex === 0) {
    name = o.devnet ?? `test-${s.name}`.slice(0, 32);
    initial = upNodeNames(s.steps[0]?.args).map((n) => ({ name: n, state: "running" }));
  } else {
    const d = pickDevnet(o.home, o.devnet);
    name = d.name;
    ctx.devnet = d;
    ctx.provider = await providerFor(d);
    const p = ctx.provider;
    initial = await Promise.all(
      d.nodes.map(async (n) => ({ name: n.name, state: (await p.inspect(d, n)).state })),
    );
    for (const n of initial) if (n.state === "paused") ctx.paused.add(n.name);
    // An existing devnet: its chain before this run is not part of the test (and may be long).
    const heights = await Promise.all(d.nodes.map((n) => heightOf(n)));
    ctx.fromHeight = heights.reduce<bigint>((m, h) => (h !== null && h > m ? h : m), 0n) + 1n;
  }
  // Before anything is opened that only the `finally` below closes: a scenario that names a node the
  // devnet does not have is refused here, and the collector's sockets would keep the process alive.
  const plan: ResolvedStep[] = resolveScenario(s, seed, initial);
  if (ctx.devnet) ctx.events = createEventCollector(ctx.devnet.nodes);
  const steps: ScenarioReport["steps"] = [];
  let invariants: CheckResult[] = [];
  try {
    let failed = false;
    for (const [i, step] of plan.entries()) {
      const label = `${String(i + 1).padStart(2, "0")} ${step.label}`;
      if (failed) {
        steps.push({ name: label, line: step.line, status: "skipped", message: "an earlier step failed" });
        continue;
      }
      const t = performance.now();
      try {
        const message = await runStep(ctx, step, {
          name,
          provider: o.provider,
          network: o.network,
          image: o.image,
        });
        steps.push({
          name: label,
          line: step.line,
          status: "passed",
          message,
          durationMs: performance.now() - t,
        });
        log(`✓ ${label} — ${message}`);
      } catch (err) {
        failed = true;
        const details = (err as { details?: string[] }).details;
        steps.push({
          name: label,
          line: step.line,
          status: "failed",
          message: (err as Error).message.split("\n")[0] as string,
          durationMs: performance.now() - t,
          ...(details?.length ? { details } : {}),
        });
        log(`✗ ${label} — ${(err as Error).message.split("\n")[0]}`);
      }
    }
    if (ctx.devnet) {
      log("checking invariants");
      invariants = await verifyInvariants(ctx, s.invariants);
      for (const r of invariants)
        log(`${r.status === "passed" ? "✓" : r.status === "skipped" ? "-" : "✗"} ${r.name} — ${r.message}`);
    }
  } finally {
    ctx.events?.close();
    if (upIndex === 0 && ctx.devnet && !o.keep) {
      await devnetDown(o.home, ctx.devnet, false, ctx.provider).catch((err) =>
        log(`devnet down failed: ${(err as Error).message}`),
      );
    }
  }
  const all = [...steps, ...invariants];
  return {
    scenario: s.name,
    file: s.file,
    seed,
    devnet: name,
    provider: ctx.devnet?.provider ?? o.provider ?? "process",
    passed:
      all.every((r) => r.status !== "failed") &&
      steps.every((r) => r.status === "passed") &&
      invariants.length > 0,
    durationMs: Math.round(performance.now() - started),
    steps,
    invariants,
    loads: ctx.loads.flatMap((l) => (l.stats ? [l.stats] : [])),
  };
}

/** Node names an `up` step creates: its validators list's names, else node0… */
function upNodeNames(args: unknown): string[] {
  const v = (args as { validators?: number | { name?: string }[] } | null)?.validators ?? 5;
  return typeof v === "number"
    ? Array.from({ length: v }, (_, i) => `node${i}`)
    : v.map((x, i) => x.name ?? `node${i}`);
}
