import { toHex } from "../../core/codec/index.js";
import { decodeAddress } from "../../core/crypto/index.js";
import { controlNode } from "../control.js";
import { healDevnet, partitionDevnet, setLatency } from "../faults.js";
import { parseManifest } from "../manifest.js";
import type { DockerNetworkMode } from "../providers/docker.js";
import { providerFor } from "../providers/index.js";
import type { ProviderKind } from "../providers/types.js";
import { devnetDir, readDevnet } from "../state.js";
import { devnetUp } from "../up.js";
import { addValidator } from "../validators.js";
import { runAssert } from "./asserts.js";
import {
  devnetOf,
  eventually,
  heightOf,
  liveNodes,
  nodeOf,
  providerOf,
  type RunContext,
  StepFailure,
  sleep,
} from "./context.js";
import { createEventCollector } from "./events.js";
import { startLoad } from "./load.js";
import type { ResolvedStep } from "./resolve.js";

/**
 * The act part of `devnet test` (STYLE.md "schema → resolve → act"): one function per step kind, each on
 * the same devnet functions the CLI commands use (up, control, faults, add-validator). A step returns a
 * one-line summary or throws StepFailure.
 */
export interface UpOverrides {
  name: string;
  provider?: ProviderKind | undefined;
  network?: DockerNetworkMode | undefined;
  image?: string | undefined;
}

export async function runStep(ctx: RunContext, step: ResolvedStep, up: UpOverrides): Promise<string> {
  switch (step.kind) {
    case "up": {
      const m = parseManifest({
        ...(step.args ?? {}),
        name: up.name,
        ...(up.provider ? { provider: up.provider } : {}),
      });
      const r = await devnetUp(ctx.home, m, {
        provider: m.provider,
        ...(m.provider === "docker"
          ? { network: up.network ?? m.docker?.network, image: up.image ?? m.docker?.image }
          : {}),
        timeoutMs: 90_000,
        onProgress: (msg) => ctx.log(`  up: ${msg}`),
      });
      ctx.devnet = r.devnet;
      ctx.provider = await providerFor(r.devnet);
      ctx.events = createEventCollector(r.devnet.nodes);
      return `devnet ${r.devnet.name}: ${r.devnet.nodes.length} validators (${m.provider}), first block in ${r.firstBlockMs} ms`;
    }
    case "load": {
      const d = devnetOf(ctx);
      const { loadKeypair } = await import("../../keystore/keys-service.js");
      const { createKeystore } = await import("../../keystore/keystore.js");
      const funder = await loadKeypair(createKeystore(devnetDir(ctx.home, d.name)), step.args.from);
      const run = await startLoad({
        chainId: d.chainId,
        urls: () => liveNodes(ctx).map((n) => n.apiUrl),
        funder: funder.secretKey,
        accounts: step.args.accounts,
        rate: step.args.rate,
        durationMs: step.args.duration,
        label: `fastpos-scenario/${ctx.seed}/load${ctx.loads.length}`,
        events: (ctx.events as NonNullable<RunContext["events"]>).data,
      });
      const entry: RunContext["loads"][number] = { run };
      ctx.loads.push(entry);
      const done = run.done.then((s) => {
        entry.stats = s;
        return s;
      });
      const what = `${step.args.rate} tx/s for ${step.args.duration / 1000} s over ${step.args.accounts} accounts`;
      if (!step.args.wait) return `started: ${what}`;
      const s = await done;
      return `${what}: ${s.accepted} accepted, ${s.finalized} final`;
    }
    case "kill":
    case "stop":
    case "start":
    case "restart":
    case "pause":
    case "resume": {
      const r = await controlNode(ctx.home, devnetOf(ctx), step.node as string, step.kind, providerOf(ctx));
      if (step.kind === "pause") ctx.paused.add(r.node);
      else ctx.paused.delete(r.node);
      return `${r.node}: ${r.result}`;
    }
    case "partition": {
      const persist = !Array.isArray(step.args) && step.args.persist;
      const r = await partitionDevnet(devnetOf(ctx), step.groups as string[][], {
        persist,
        provider: providerOf(ctx),
      });
      const missed = r.nodes.filter((c) => c.result !== "set").map((c) => `${c.node} ${c.result}`);
      return `${r.groups.map((g) => g.join(",")).join(" | ")}${missed.length ? ` (${missed.join(", ")})` : ""}`;
    }
    case "heal": {
      const r = await healDevnet(devnetOf(ctx), providerOf(ctx));
      const heights = await Promise.all(liveNodes(ctx).map(heightOf));
      ctx.lastHeal = {
        at: performance.now(),
        height: heights.reduce<bigint>((m, h) => (h !== null && h > m ? h : m), 0n),
      };
      const missed = r.nodes.filter((c) => c.result === "skipped").map((c) => c.node);
      return `faults cleared${missed.length ? ` (not reached: ${missed.join(", ")})` : ""} at height ${ctx.lastHeal.height}`;
    }
    case "latency": {
      const a = step.args;
      const r = await setLatency(devnetOf(ctx), step.node as string, {
        ms: a.ms,
        jitterMs: a.jitter,
        loss: a.loss,
        persist: a.persist,
        provider: providerOf(ctx),
      });
      return `${r.target}: ${a.ms} ms ± ${a.jitter} ms, loss ${a.loss}`;
    }
    case "add-validator": {
      const d = devnetOf(ctx);
      const r = await addValidator(ctx.home, d, {
        name: step.node,
        stake: BigInt(step.args?.stake ?? "1000000"),
        funder: step.args?.from ?? "alice",
      });
      ctx.devnet = readDevnet(ctx.home, d.name);
      ctx.events?.watch(nodeOf(ctx, r.node));
      return `${r.node} bonded ${r.stake} at height ${r.bondHeight}, active from height ${r.activeFromHeight}`;
    }
    case "byzantine":
      return runByzantine(ctx, step);
    case "wait":
      return runWait(ctx, step);
    case "assert":
      return runAssert(ctx, step);
  }
}

/**
 * `byzantine` runs `fastpos devnet byzantine NODE --equivocate KIND --unsafe` (a scenario naming the step is
 * the explicit intent) when this build has the command; the node's validator is then expected to double-sign,
 * so the votes invariant leaves it out (ctx.byzantine).
 */
async function runByzantine(ctx: RunContext, step: ResolvedStep & { kind: "byzantine" }): Promise<string> {
  if (!ctx.hooks.hasCommand("devnet:byzantine"))
    throw new StepFailure(
      "not available yet: this fastpos has no `devnet byzantine` command (it comes with slashing)",
    );
  const extra = Object.entries(step.args.flags).flatMap(([k, v]) =>
    v === true ? [`--${k}`] : v === false ? [] : [`--${k}`, String(v)],
  );
  const kind = step.args.equivocate;
  const mode = kind === "off" ? ["--off"] : ["--equivocate", kind, "--unsafe"];
  const d = devnetOf(ctx);
  const node = d.nodes.find((n) => n.name === step.node);
  // Marked before the restart: the node may double-sign as soon as it is up.
  if (node && kind !== "off") ctx.byzantine.add(toHex(decodeAddress(node.validator)));
  const r = await ctx.hooks.runCommand([
    "devnet",
    "byzantine",
    step.node as string,
    ...mode,
    ...extra,
    "--devnet",
    devnetOf(ctx).name,
    "--json",
  ]);
  if (r.code !== 0)
    throw new StepFailure(`devnet byzantine exited ${r.code}`, [r.stderr.trim() || r.stdout.trim()]);
  return `${step.node}: ${kind === "off" ? "honest again" : `byzantine (equivocates on ${kind})`}`;
}

async function runWait(ctx: RunContext, step: ResolvedStep & { kind: "wait" }): Promise<string> {
  const a = step.args;
  if (a.seconds !== undefined) {
    await sleep(a.seconds * 1000);
    return `waited ${a.seconds} s`;
  }
  if (a.load) {
    const stats = await Promise.all(ctx.loads.map((l) => l.run.done));
    return `${stats.length} loads over: ${stats.map((s) => `${s.accepted} accepted, ${s.finalized} final`).join("; ")}`;
  }
  const nodes = (step.nodes ?? []).map((n) => nodeOf(ctx, n));
  const heights = await Promise.all(nodes.map(heightOf));
  const best = heights.reduce<bigint>((m, h) => (h !== null && h > m ? h : m), 0n);
  const target = a.height !== undefined ? BigInt(a.height) : best + BigInt(a.blocks as number);
  const started = performance.now();
  return eventually(a.timeout, async () => {
    const now = await Promise.all(nodes.map(heightOf));
    const behind = nodes
      .map((n, i) => ({ n: n.name, h: now[i] }))
      .filter((x) => x.h === null || (x.h as bigint) < target);
    if (behind.length)
      throw new StepFailure(
        `height ${target} not reached within ${a.timeout / 1000} s by ${behind.map((x) => `${x.n} (${x.h ?? "unreachable"})`).join(", ")}`,
      );
    return `height ${target} on ${nodes.map((n) => n.name).join(",")} after ${Math.round(performance.now() - started)} ms`;
  });
}
