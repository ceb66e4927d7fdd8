import { createClient } from "../../client/client.js";
import type { NodeProvider } from "../providers/types.js";
import { type DevnetFile, type DevnetNode, findNode } from "../state.js";
import type { EventCollector } from "./events.js";
import type { LoadRun, LoadStats } from "./load.js";

/**
 * What the steps of one `devnet test` run share: the devnet, its provider, the event collector, the
 * background loads, and the last heal (for the liveness invariant). Also the host hooks the runner cannot
 * know by itself (which CLI commands exist, for `byzantine`).
 */
export interface RunnerHooks {
  /** True when this CLI has the command (oclif id, e.g. `devnet:byzantine`). */
  hasCommand(id: string): boolean;
  /** Runs `fastpos ARGS` as a child process against the same home. */
  runCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface RunContext {
  home: string;
  seed: string;
  devnet?: DevnetFile;
  provider?: NodeProvider;
  events?: EventCollector;
  loads: { run: LoadRun; stats?: LoadStats }[];
  paused: Set<string>;
  /** 0x-hex consensus addresses a `byzantine` step made double-sign (left out of the votes invariant). */
  byzantine: Set<string>;
  lastHeal: { at: number; height: bigint } | null;
  /** First height the invariants read from the nodes' chains (1 for a devnet this run started). */
  fromHeight: bigint;
  hooks: RunnerHooks;
  log: (line: string) => void;
}

/** A step that did not do what it says: its message becomes the report line and the JUnit failure. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export function devnetOf(ctx: RunContext): DevnetFile {
  if (!ctx.devnet)
    throw new StepFailure("no devnet yet: start the scenario with an `up` step or pass --devnet");
  return ctx.devnet;
}

export function providerOf(ctx: RunContext): NodeProvider {
  if (!ctx.provider) throw new StepFailure("no devnet yet");
  return ctx.provider;
}

export function nodeOf(ctx: RunContext, name: string): DevnetNode {
  return findNode(devnetOf(ctx), name);
}

/** Nodes that should answer: started and not paused. */
export function liveNodes(ctx: RunContext): DevnetNode[] {
  return (ctx.devnet?.nodes ?? []).filter((n) => n.pid !== null && !ctx.paused.has(n.name));
}

/** A node's height, or null when it does not answer. */
export async function heightOf(n: DevnetNode): Promise<bigint | null> {
  try {
    return BigInt((await createClient({ url: n.apiUrl, timeoutMs: 2000 }).status()).height);
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (which throws StepFailure while false) until it passes or `withinMs` is over. */
export async function eventually(withinMs: number, check: () => Promise<string>): Promise<string> {
  const end = performance.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (!(err instanceof StepFailure) || performance.now() > end) throw err;
    }
    await sleep(200);
  }
}

/** `a OP b` for the assert steps. */
export function compare(a: bigint | number, op: string, b: bigint | number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">=":
      return a >= b;
    default:
      return a > b;
  }
}
