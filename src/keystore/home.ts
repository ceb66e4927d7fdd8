import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The fastpos home: `--home` flag > FASTPOS_HOME > ~/.fastpos (DESIGN.md §6). */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.FASTPOS_HOME) return resolve(env.FASTPOS_HOME);
  return join(homedir(), ".fastpos");
}
