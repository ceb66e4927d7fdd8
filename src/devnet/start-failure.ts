import { DevnetError } from "./state.js";

/**
 * A node that died during start-up, as one error line and a hint (the CLI prints an error's first line
 * only, DESIGN.md §6): the node's own `Error: …` / `Hint: …` lines when it printed them (a held signer
 * lock, a corrupt store, a port in use), else its last line of output. Every line read is kept in the
 * error's data (`--json` shows it), and the hint says where the whole output is.
 *
 * `output` is the tail of what the process printed, oldest first. A node's output file is appended to
 * across restarts, so only the lines after the last run that started (or was stopped) are this run's.
 */
export function startFailure(node: string, output: string[], where: string): DevnetError {
  const lines = thisRun(output.map((l) => l.trimEnd()).filter((l) => l !== ""));
  let reason: string | undefined;
  let nodeHint: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^Error: (.+)$/.exec(lines[i] as string);
    if (!m) continue;
    reason = m[1];
    nodeHint = /^Hint: (.+)$/.exec(lines[i + 1] ?? "")?.[1];
    break;
  }
  const last = lines.at(-1);
  const message = reason
    ? `node ${node} exited during start-up: ${reason}`
    : `node ${node} exited during start-up${last ? `; its last output: ${last}` : " without printing anything"}`;
  const see = `its whole output: ${where}`;
  return new DevnetError(
    {
      code: "DEVNET_START_FAILED",
      node,
      reason: "process exited",
      hint: nodeHint ? `${nodeHint} (${see})` : see,
      output: lines,
    },
    message,
  );
}

/**
 * Lines that end an earlier run in a node's output file: the process provider's start line (process.ts
 * START_MARK), and, for output without it (containers), the lines a node prints once it runs or stops.
 */
const EARLIER_RUN =
  /^(fastpos devnet: starting the node at |fastpos node running:|received SIG[A-Z]+, stopping)/;

function thisRun(lines: string[]): string[] {
  for (let i = lines.length - 1; i >= 0; i--)
    if (EARLIER_RUN.test(lines[i] as string)) return lines.slice(i + 1);
  return lines;
}
