import type { KeyRecord } from "../keystore/keystore.js";
import { UserError } from "./errors.js";

/**
 * A hidden password prompt on a terminal (issue 19 item 7): characters are not echoed, Backspace edits,
 * Ctrl-C aborts with exit 1. Only when both stdin and stderr are TTYs — scripts and CI (no TTY) keep using
 * `--password` / FASTPOS_PASSWORD, and get the keystore's clear error when neither is given.
 */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && process.env.CI !== "true";
}

export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = "";
    // Echo off BEFORE the question shows: someone (or a script) typing as soon as it appears must not have
    // the first characters echoed (a loaded machine made that race visible).
    stdin.setRawMode?.(true);
    process.stderr.write(question);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003")
          return done(
            new UserError("PROMPT_ABORTED", "password prompt aborted", {
              hint: "pass --password or set FASTPOS_PASSWORD",
            }),
          );
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/**
 * The password to use for `record`: the one given, or — for an encrypted key on a terminal — a prompt.
 * Plaintext keys never prompt.
 */
export async function passwordFor(record: KeyRecord, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined || !record.encrypted || !canPrompt()) return given;
  return promptHidden(`Password for key "${record.name}": `);
}

/** A new key's password on a terminal, typed twice; undefined when not prompting. */
export async function newPassword(name: string): Promise<string> {
  const a = await promptHidden(`New password for key "${name}": `);
  const b = await promptHidden("Repeat it: ");
  if (a !== b)
    throw new UserError("PASSWORD_MISMATCH", "the two passwords differ", { hint: "run the command again" });
  if (a.length === 0)
    throw new UserError("PASSWORD_EMPTY", "an empty password protects nothing", {
      hint: "type a password, or drop --encrypt for a plaintext devnet key",
    });
  return a;
}
