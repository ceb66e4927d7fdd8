/**
 * Durations as users write them on the command line and in manifests: `500ms`, `30s`, `2m`, or a bare
 * number of milliseconds (`0`). Returns null for anything else, so each caller names its own flag or field.
 */
export function parseDurationMs(s: string): number | null {
  const m = /^(\d{1,9})(ms|s|m)?$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === "s" ? n * 1000 : m[2] === "m" ? n * 60_000 : n;
}

/**
 * The idle-block interval a devnet gets when it does not choose one (issue 19 item 6): the `dev` preset
 * idles at one empty block a second (a tx still proposes at once); the slower presets already pace blocks
 * with their commit wait, so they keep making blocks continuously.
 */
export function defaultBlockTimeMs(preset: string): number {
  return preset === "dev" ? 1000 : 0;
}
