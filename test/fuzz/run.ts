import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { CORPUS_DIR, corpusOf, inputsFor } from "./inputs.js";
import { OutcomeCounts } from "./outcomes.js";
import { buildSeeds } from "./seeds.js";
import { type FuzzTarget, TARGETS } from "./targets.js";

/**
 * `npm run fuzz -- TARGET|all [--runs N] [--seed S] [--outcomes] [--report FILE]` (issue 23 item 1),
 * `--list`, `--write-corpus`. Runs the target's parser on N mutated inputs (fast-check drives the
 * generation and shrinks a failing input); prints per target the inputs, inputs/s and the outcome mix
 * (`--outcomes`: every distinct outcome; `--report`: one JSON line per target appended to FILE); exits 1
 * on a finding, with the shrunk input written to test/fuzz/findings/.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("--runs") ?? 10_000);
const seed = Number(flag("--seed") ?? Date.now() % 2 ** 31);
const valued = ["--runs", "--seed", "--report"];
const name = args.find((a, i) => !a.startsWith("--") && !valued.includes(args[i - 1] ?? ""));

if (args.includes("--list")) {
  for (const t of TARGETS) console.log(`${t.name.padEnd(24)} ${t.about}`);
  process.exit(0);
}
if (args.includes("--write-corpus")) {
  mkdirSync(CORPUS_DIR, { recursive: true });
  for (const [target, entries] of Object.entries(buildSeeds()))
    writeFileSync(
      join(CORPUS_DIR, `${target}.hex`),
      `${entries.map((e) => Buffer.from(e).toString("hex")).join("\n")}\n`,
    );
  console.log(`corpus written to ${CORPUS_DIR}`);
  process.exit(0);
}
const chosen = name === "all" ? TARGETS : TARGETS.filter((t) => t.name === name);
if (!name || chosen.length === 0 || !Number.isSafeInteger(runs) || runs < 1) {
  console.error(
    "usage: npm run fuzz -- <target|all> [--runs N] [--seed S] [--outcomes] [--report FILE]" +
      "   (targets: npm run fuzz -- --list)",
  );
  process.exit(1);
}

// PERF: nearly every input is refused with a typed error, and capturing that error's stack trace was the
// largest cost per input left once the codec built one error per refusal (see test/fuzz/README.md).
// No parser reads a stack; a finding is re-run with stacks on so its report has one.
const stackTraceLimit = Error.stackTraceLimit;
Error.stackTraceLimit = 0;

let failed = false;
const report = flag("--report");
for (const t of chosen) {
  const corpus = corpusOf(t.name);
  const seen = new OutcomeCounts();
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const r = fc.check(
    fc.property(inputsFor(corpus, !!t.text), (b) => {
      seen.add(t.run(b));
    }),
    { numRuns: runs, seed },
  );
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu0);
  const cpu = (used.user + used.system) / 1e6;
  const rate = Math.round(r.numRuns / s);
  if (r.failed) {
    failed = true;
    const input = r.counterexample?.[0] as Uint8Array;
    const dir = new URL("./findings/", import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${t.name}-${seed}.hex`);
    writeFileSync(file, Buffer.from(input).toString("hex"));
    console.log(`FAIL ${t.name}: after ${r.numRuns} inputs (seed ${seed}): ${String(r.errorInstance)}`);
    console.log(`     shrunk input (${input.length} bytes) in ${file}`);
    console.log(`     ${stackOf(t, input).replaceAll("\n", "\n     ")}`);
  } else {
    console.log(
      `ok   ${t.name.padEnd(24)} ${r.numRuns} inputs in ${s.toFixed(1)} s (${rate}/s; ${cpu.toFixed(1)} s CPU), seed ${seed}`,
    );
    console.log(seen.format());
    if (args.includes("--outcomes")) console.log(seen.formatAll());
  }
  if (report) {
    const line = {
      target: t.name,
      date: new Date().toISOString(),
      seed,
      inputs: r.numRuns,
      wallSeconds: s,
      cpuSeconds: cpu,
    };
    appendFileSync(report, `${JSON.stringify({ ...line, failed: r.failed, outcomes: seen.toJSON() })}\n`);
  }
}
process.exit(failed ? 1 : 0);

/** The stack of the error the shrunk input raises, with stack traces back on. */
function stackOf(t: FuzzTarget, input: Uint8Array): string {
  Error.stackTraceLimit = stackTraceLimit;
  try {
    t.run(input);
    return "(the shrunk input no longer fails on its own)";
  } catch (err) {
    return (err as Error)?.stack ?? String(err);
  } finally {
    Error.stackTraceLimit = 0;
  }
}
