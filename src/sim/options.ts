import type { PresetName } from "../core/chain/params.js";
import { defaultConfig, PRESET_LINKS, type SimConfig } from "./config.js";
import type { ScenarioSettings } from "./scenario.js";

/** Flags of `fastpos sim`; undefined = not given. */
export interface SimFlags {
  validators?: number | undefined;
  heights?: number | undefined;
  seed?: string | undefined;
  preset?: PresetName | undefined;
  fakeSigner?: boolean | undefined;
  txRate?: number | undefined;
  workers?: number | undefined;
}

/** Default 100 validators × 1000 heights, as issue 21 asks. */
export const DEFAULTS = { validators: 100, heights: 1000, seed: "1", preset: "dev" as PresetName };

/**
 * The config of one run: defaults < scenario file < flags. Links: the preset's network, patched by the
 * scenario's `links`.
 */
export function resolveConfig(flags: SimFlags, scenario: ScenarioSettings = {}): SimConfig {
  const preset = flags.preset ?? scenario.preset ?? DEFAULTS.preset;
  const heights = flags.heights ?? scenario.heights ?? DEFAULTS.heights;
  const { links, ...rest } = scenario;
  const base = defaultConfig({ preset, heights });
  return {
    ...base,
    ...rest,
    preset,
    heights,
    validators: flags.validators ?? scenario.validators ?? DEFAULTS.validators,
    seed: flags.seed ?? scenario.seed ?? DEFAULTS.seed,
    links: { ...PRESET_LINKS[preset], ...links },
    fakeSigner: flags.fakeSigner ?? false,
    txRate: flags.txRate ?? scenario.txRate ?? 0,
    maxTimeMs: scenario.maxTimeMs ?? base.maxTimeMs,
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
  };
}

/** The command line that repeats a run (printed with a failing seed). */
export function reproduceCommand(c: SimConfig, scenarioFile?: string): string {
  const parts = [
    "fastpos sim",
    `--validators ${c.validators}`,
    `--heights ${c.heights}`,
    `--seed ${quote(c.seed)}`,
    `--preset ${c.preset}`,
  ];
  if (scenarioFile) parts.push(`--scenario ${quote(scenarioFile)}`);
  if (c.txRate) parts.push(`--tx-rate ${c.txRate}`);
  if (c.fakeSigner) parts.push("--fake-signer");
  return parts.join(" ");
}

function quote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
