import { createClient } from "../../client/client.js";
import { createKeystore } from "../../keystore/keystore.js";
import { devnetDir } from "../state.js";
import {
  compare,
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
import type { ResolvedStep } from "./resolve.js";
import type { AssertSpec } from "./schema.js";

/**
 * The `assert` step (issue 16): height advances (or stays, for a minority that must not finalize), a
 * metric compares, a validator's status, an account's balance, a log line. Each polls until it holds or
 * its `within` bound is over, so a check never depends on a fixed sleep; `height advances: false`
 * watches for its `for` window instead.
 */
export async function runAssert(ctx: RunContext, step: ResolvedStep & { kind: "assert" }): Promise<string> {
  const a: AssertSpec = step.args;
  if (a.height) return assertHeight(ctx, step.nodes ?? [], a.height);
  if (a.metric) {
    const m = a.metric;
    const n = nodeOf(ctx, step.node as string);
    return eventually(m.within, async () => {
      const text = await (await fetch(`${n.apiUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
      const value = metricValue(text, m.name, m.labels);
      if (value === undefined) throw new StepFailure(`${n.name} exports no ${m.name}${labelText(m.labels)}`);
      if (!compare(value, m.op, m.value))
        throw new StepFailure(`${n.name} ${m.name} is ${value}, not ${m.op} ${m.value}`);
      return `${m.name} = ${value}`;
    });
  }
  if (a.validator) {
    const v = a.validator;
    return eventually(v.within, async () => {
      const info = await api(ctx).validators();
      const found = info.validators.find((x) => [x.name, x.consensusAddress, x.address].includes(v.name));
      if (!found) throw new StepFailure(`no validator ${v.name} at height ${info.height}`);
      if (found.status !== v.status)
        throw new StepFailure(`${v.name} is ${found.status} at height ${info.height}, not ${v.status}`);
      return `${v.name} is ${v.status} at height ${info.height}`;
    });
  }
  if (a.balance) {
    const b = a.balance;
    const address = await addressOf(ctx, b.account);
    return eventually(b.within, async () => {
      const acct = await api(ctx, b.node).account(address);
      const have = BigInt(acct.balance);
      if (!compare(have, b.op, BigInt(b.value)))
        throw new StepFailure(`${b.account} has ${have} at height ${acct.height}, not ${b.op} ${b.value}`);
      return `${b.account} has ${have}`;
    });
  }
  const l = a.log as NonNullable<AssertSpec["log"]>;
  const n = nodeOf(ctx, step.node as string);
  const re = l.matches !== undefined ? new RegExp(l.matches) : undefined;
  return eventually(l.within, async () => {
    const lines = await providerOf(ctx).readLogs(devnetOf(ctx), n, l.lines);
    const hit = lines.find((x) => (re ? re.test(x) : x.includes(l.contains as string)));
    if (!hit)
      throw new StepFailure(
        `no line of ${n.name}'s last ${l.lines} log lines ${re ? `matches ${re}` : `contains "${l.contains}"`}`,
      );
    return `found: ${hit.slice(0, 160)}`;
  });
}

async function assertHeight(
  ctx: RunContext,
  names: string[],
  h: NonNullable<AssertSpec["height"]>,
): Promise<string> {
  const nodes = names.map((x) => nodeOf(ctx, x));
  const before = await Promise.all(nodes.map(heightOf));
  const missing = nodes.filter((_, i) => before[i] === null).map((n) => n.name);
  if (missing.length) throw new StepFailure(`${missing.join(", ")} did not answer`);
  const start = performance.now();
  if (!h.advances) {
    await sleep(h.for);
    const after = await Promise.all(nodes.map(heightOf));
    const moved = nodes
      .map((n, i) => ({ n: n.name, from: before[i], to: after[i] }))
      .filter((x) => x.to !== null && (x.to as bigint) > (x.from as bigint));
    if (moved.length)
      throw new StepFailure(
        `height advanced on ${moved.map((x) => `${x.n} (${x.from} → ${x.to})`).join(", ")} within ${h.for / 1000} s`,
      );
    return `${nodes.map((n, i) => `${n.name}@${before[i]}`).join(", ")} stayed for ${h.for / 1000} s`;
  }
  return eventually(h.within, async () => {
    const now = await Promise.all(nodes.map(heightOf));
    const behind = nodes.filter(
      (_, i) => now[i] === null || (now[i] as bigint) < (before[i] as bigint) + BigInt(h.by),
    );
    if (behind.length)
      throw new StepFailure(
        `height did not advance by ${h.by} within ${h.within / 1000} s on ${behind.map((n) => `${n.name} (${before[nodes.indexOf(n)]} → ${now[nodes.indexOf(n)] ?? "unreachable"})`).join(", ")}`,
      );
    return `advanced by ≥ ${h.by} on ${nodes.map((n) => n.name).join(",")} in ${Math.round(performance.now() - start)} ms`;
  });
}

/** A client for `node`, or for the first live node. */
function api(ctx: RunContext, node?: string) {
  const n = node ? nodeOf(ctx, node) : liveNodes(ctx)[0];
  if (!n) throw new StepFailure("no running node to ask");
  return createClient({ url: n.apiUrl, timeoutMs: 3000 });
}

/** An fp1… address, a devnet account name, or a key of the devnet keystore. */
async function addressOf(ctx: RunContext, account: string): Promise<string> {
  if (account.startsWith("fp1")) return account;
  const d = devnetOf(ctx);
  const known = d.accounts.find((a) => a.name === account)?.address;
  if (known) return known;
  const key = (await createKeystore(devnetDir(ctx.home, d.name)).list()).find((k) => k.name === account);
  if (!key) throw new StepFailure(`no account ${account} in devnet ${d.name}`);
  return key.address;
}

/** Sum of the series of `name` whose labels include `labels`, from Prometheus text. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

function labelText(labels: Record<string, string>): string {
  const e = Object.entries(labels);
  return e.length ? `{${e.map(([k, v]) => `${k}="${v}"`).join(",")}}` : "";
}
