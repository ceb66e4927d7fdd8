import { existsSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The directory that holds the app's `package.json` and `bin/run.js`, found by walking up from `fromUrl`,
 * with a trailing separator. A module's own URL does not say how deep it sits: the same code runs from
 * `src/` (tsx), from `dist/` (tsc) and from a shared chunk in `dist/chunks/` (the CLI bundle, `npm run
 * build:bundle`), so a fixed `../../` would point elsewhere in one of them.
 */
export function findAppRoot(fromUrl: string): string {
  const start = dirname(fileURLToPath(fromUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "bin", "run.js"))) return dir + sep;
    if (dirname(dir) === dir)
      throw new Error(`no fastpos app root (package.json, bin/run.js) above ${start}`);
  }
}

/** Root of the installed app (package.json, bin/, dist/, node_modules/), with a trailing separator. */
export const APP_ROOT = findAppRoot(import.meta.url);
