import type { Hook } from "@oclif/core";
import { formatJson } from "./json.js";

/**
 * Unknown command → one line, a "did you mean" hint and exit 1 (issue 19 item 3), like every other user
 * error; with `--json` the usual `{error}` document. We do not use @oclif/plugin-not-found: it exits 127
 * and prompts on a terminal, which breaks the exit-code contract scripts rely on (DESIGN.md §6).
 * Registered in package.json `oclif.hooks.command_not_found`; lives in cli/ (the layer that owns output).
 */
const hook: Hook.CommandNotFound = async (opts) => {
  const typed = opts.id.replaceAll(":", " ");
  const ids = opts.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const best = closest(opts.id, ids);
  const hint = best
    ? `did you mean \`${opts.config.bin} ${best.replaceAll(":", " ")}\`? (run \`${opts.config.bin} --help\` for all commands)`
    : `run \`${opts.config.bin} --help\` for all commands`;
  const message = `"${typed}" is not a ${opts.config.bin} command`;
  process.exitCode = 1;
  if ((opts.argv ?? []).includes("--json") || opts.id.split(":").includes("--json")) {
    process.stdout.write(
      `${formatJson({ error: { code: "COMMAND_NOT_FOUND", message, hint, ...(best ? { data: { suggestion: best } } : {}) } })}\n`,
    );
  } else {
    process.stderr.write(`Error: ${message}\nHint: ${hint}\n`);
  }
};
export default hook;

/** The known command nearest to `id` (edit distance, also matching on the last word), if close enough. */
export function closest(id: string, ids: string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const last = id.split(":").at(-1) ?? id;
  for (const c of ids) {
    const whole = distance(id, c);
    const tail = distance(last, c.split(":").at(-1) ?? c) + 1;
    const score = Math.min(whole, tail);
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(id.length / 3)) ? best : undefined;
}

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return prev[b.length] as number;
}
