import { createInterface } from "node:readline/promises";

/** True when stdout is an interactive terminal (spinners, colours and prompts only then). */
export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY && process.stdin.isTTY) && process.env.CI !== "true";
}

/** Reads all of stdin as UTF-8 (for piped secrets such as `echo "$MNEMONIC" | fastpos keys import`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Asks one question on the terminal and returns the trimmed answer. */
export async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Yes/no confirmation on a terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test(await prompt(`${question} [y/N] `));
}
