import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { CORPUS_DIR, corpusOf, inputsFor } from "./inputs.js";
import { buildSeeds } from "./seeds.js";
import { TARGETS } from "./targets.js";

/**
 * `npm run fuzz -- TARGET|all [--runs N] [--seed S]` (issue 23 item 1), `--list`, `--write-corpus`.
 * Runs the target's parser on N mutated inputs (fast-check drives the generation and shrinks a failing
 * input); prints one line per target with inputs and inputs/s; exits 1 on a finding, with the shrunk
 * input written to test/fuzz/findings/.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag("--runs") ?? 10_000);
const seed = Number(flag("--seed") ?? Date.now() % 2 ** 31);
const name = args.find((a, i) => !a.startsWith("--") && !["--runs", "--seed"].includes(args[i - 1] ?? ""));

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
    `usage: npm run fuzz -- <target|all> [--runs N] [--seed S]   (targets: npm run fuzz -- --list)`,
  );
  process.exit(1);
}

let failed = false;
for (const t of chosen) {
  const corpus = corpusOf(t.name);
  const started = process.hrtime.bigint();
  const r = fc.check(
    fc.property(inputsFor(corpus, !!t.text), (b) => t.run(b)),
    { numRuns: runs, seed },
  );
  const s = Number(process.hrtime.bigint() - started) / 1e9;
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
  } else
    console.log(
      `ok   ${t.name.padEnd(24)} ${r.numRuns} inputs in ${s.toFixed(1)} s (${rate}/s), seed ${seed}`,
    );
}
process.exit(failed ? 1 : 0);
