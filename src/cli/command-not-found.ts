import type { Hook } from "@oclif/core";
import { formatJson } from "./json.js";

/**
 * Unknown command → one line, a "did you mean" hint and exit 1 (issue 19 item 3), like every other user
 * error; with `--json` the usual `{error}` document. We do not use @oclif/plugin-not-found: it exits 127
 * and prompts on a terminal, which breaks the exit-code contract scripts rely on (DESIGN.md §6).
 * Registered in package.json `oclif.hooks.command_not_found`; lives in cli/ (the layer that owns output).
 */
const hook: Hook.CommandNotFound = async (opts) => {
  const bin = opts.config.bin;
  const typed = opts.id.replaceAll(":", " ");
  const visible = opts.config.commands.filter((c) => !c.hidden);
  const extra = extraArguments(
    opts.id,
    visible.map((c) => ({ id: c.id, flags: Object.keys(c.flags ?? {}) })),
  );
  let code = "COMMAND_NOT_FOUND";
  let message = `"${typed}" is not a ${bin} command`;
  let hint = `run \`${bin} --help\` for all commands`;
  let suggestion: string | undefined;
  if (extra) {
    // `keys new alice`: a command that takes no (more) arguments was given some.
    const cmd = extra.command.replaceAll(":", " ");
    code = "USAGE";
    message = `\`${bin} ${cmd}\` takes no argument ${extra.args.map((a) => `"${a}"`).join(" ")}`;
    hint = extra.suggestion
      ? `did you mean \`${bin} ${cmd} ${extra.suggestion}\`? (run \`${bin} ${cmd} --help\` for usage)`
      : `run \`${bin} ${cmd} --help\` for usage`;
  } else {
    suggestion = closest(
      opts.id,
      visible.map((c) => c.id),
    );
    if (suggestion)
      hint = `did you mean \`${bin} ${suggestion.replaceAll(":", " ")}\`? (run \`${bin} --help\` for all commands)`;
  }
  process.exitCode = 1;
  if ((opts.argv ?? []).includes("--json") || opts.id.split(":").includes("--json")) {
    process.stdout.write(
      `${formatJson({ error: { code, message, hint, ...(suggestion ? { data: { suggestion } } : {}) } })}\n`,
    );
  } else {
    process.stderr.write(`Error: ${message}\nHint: ${hint}\n`);
  }
};
export default hook;

/**
 * When `id` is a known command followed by words it does not take as arguments (oclif joins them into
 * one unknown id, e.g. `keys:new:alice`): that command, the extra words, and — for a single word and a
 * command with a `--name` flag — the flag that was probably meant.
 */
export function extraArguments(
  id: string,
  commands: { id: string; flags: string[] }[],
): { command: string; args: string[]; suggestion?: string } | undefined {
  const parts = id.split(":");
  for (let k = parts.length - 1; k >= 1; k--) {
    const cmd = commands.find((c) => c.id === parts.slice(0, k).join(":"));
    if (!cmd) continue;
    const args = parts.slice(k);
    const word = args[0] as string;
    const named = args.length === 1 && !word.startsWith("-") && cmd.flags.includes("name");
    return { command: cmd.id, args, ...(named ? { suggestion: `--name ${word}` } : {}) };
  }
  return undefined;
}

/**
 * The known command nearest to `id` (edit distance), if close enough. Words past a command's own are
 * compared without (they are probably its arguments: `query accont alice` → `query account`), and a lone
 * word is also matched against commands' last words (`tranfer` → `tx transfer`). A command that the typed
 * words begin counts as half an edit away.
 */
export function closest(id: string, ids: string[]): string | undefined {
  const parts = id.split(":");
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of ids) {
    const own = c.split(":");
    const typed = parts.length > own.length ? parts.slice(0, own.length).join(":") : id;
    // A command the typed words begin (`devnet stat` → `devnet status`) beats one a letter away.
    const d = c.startsWith(typed) && c.length > typed.length ? 0.5 : distance(typed, c);
    let score = d - Math.max(2, Math.floor(typed.length / 3));
    if (parts.length === 1)
      score = Math.min(score, distance(id, own.at(-1) ?? c) + 1 - Math.max(2, Math.floor(id.length / 3)));
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return bestScore <= 0 ? best : undefined;
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
