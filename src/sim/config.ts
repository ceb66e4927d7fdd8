import type { PresetName } from "../core/chain/params.js";
import type { ConsensusEvent, ConsensusState, step } from "../core/consensus/index.js";

/**
 * Inputs of one simulation (DESIGN.md §1 `sim/`). Everything that changes a run is here, so the same
 * config and seed give the same run, byte for byte. `fastpos sim` builds one from its flags and an
 * optional scenario file (scenario.ts); tests build them directly.
 */

/** How one direction of one link delays and loses messages. */
export interface LinkModel {
  /** Mean one-way latency (ms). Each link draws its own mean once: latencyMs × (1 ± spread). */
  latencyMs: number;
  /** Per-link variation of the mean, 0…1 (0.3 = links differ by up to ±30%). */
  spread: number;
  /** Per-message jitter around the link's mean (ms). */
  jitterMs: number;
  /** Jitter shape: uniform in ±jitter, normal (sd = jitter, Irwin–Hall), or exponential tail (mean = jitter). */
  dist: "uniform" | "normal" | "exponential";
  /** Probability that one send is lost (gossip re-sends it on the next tick). */
  loss: number;
  /** Probability that one send arrives twice. */
  duplicate: number;
}

/** Misbehaviours a validator can be given (issue 23 item 2). */
export const BEHAVIOURS = [
  "equivocate-prevote",
  "equivocate-precommit",
  "equivocate-proposal",
  "conflicting-proposals",
  "withhold",
  "forge",
  "future-flood",
  "late",
  "duplicate",
] as const;
export type BehaviourKind = (typeof BEHAVIOURS)[number];

export interface Behaviour {
  kind: BehaviourKind;
  /** `late`: extra delay of every own message (ms). */
  delayMs?: number;
  /** `future-flood`: messages per height reached; `duplicate`: copies of each message. */
  count?: number;
  /** `withhold`: share of peers that get nothing (1 = silent). */
  share?: number;
}

/** When a fault fires: at a virtual time, or when the first node commits a height. */
export type Trigger = { timeMs: number } | { height: number };

export type FaultAction =
  | { kind: "crash"; nodes: number[] }
  | { kind: "restart"; nodes: number[] }
  | { kind: "partition"; groups: number[][] }
  | { kind: "heal" }
  | { kind: "links"; links: Partial<LinkModel> }
  | { kind: "byzantine"; nodes: number[]; behaviours: Behaviour[] }
  | { kind: "honest"; nodes: number[] };

export type Fault = FaultAction & { at: Trigger; line?: number; index?: number };

/** A step function with the engine's signature: the real `step`, or a test's deliberately broken one. */
export type EngineStep = (state: ConsensusState, event: ConsensusEvent) => ReturnType<typeof step>;

export interface SimConfig {
  validators: number;
  /** Heights every live honest validator must commit. */
  heights: number;
  seed: string;
  preset: PresetName;
  /** Overrides of the preset's params. */
  timeouts?: Partial<Record<"propose" | "prevote" | "precommit" | "commitWait", number | undefined>>;
  epochLength?: number;
  /** Stake per validator (index = node), default the dev stake for all. */
  stakes?: bigint[];
  /** workWeight per validator (10000 = 1.0). */
  workWeights?: number[];
  links: LinkModel;
  /** Gossip tick: own messages of the current height not yet delivered are re-sent (ms). */
  gossipMs: number;
  /** Tx load: transfers per second of virtual time (0 = none). */
  txRate: number;
  faults: Fault[];
  /** Byzantine validators from the start. */
  byzantine: { nodes: number[]; behaviours: Behaviour[] }[];
  /** Virtual-time limit (ms): past it, liveness has failed. */
  maxTimeMs: number;
  /** Fast fake signatures instead of ed25519 (reported in the output). */
  fakeSigner: boolean;
  /**
   * Threads that check signatures alongside the event loop (verify-pool.ts); undefined = one per core besides the event loop's (at least one), 0 =
   * in line. Never changes a result, only the wall time.
   */
  workers?: number;
  /** Future-height messages kept per peer, and how many heights ahead. */
  futureBuffer: { perPeer: number; window: number };
  /** The engine's step function (tests swap in a broken one; the CLI always uses the real one). */
  engine?: EngineStep;
}

/** Default network: 150 ms links (±30% per link), 20 ms normal jitter, no loss. */
export const DEFAULT_LINKS: LinkModel = {
  latencyMs: 150,
  spread: 0.3,
  jitterMs: 20,
  dist: "normal",
  loss: 0,
  duplicate: 0,
};

/** Network presets of `--preset`: `dev` is a loopback-like LAN, `mainnet-like` a WAN. */
export const PRESET_LINKS: Record<PresetName, LinkModel> = {
  dev: { latencyMs: 5, spread: 0.5, jitterMs: 2, dist: "uniform", loss: 0, duplicate: 0 },
  test: { latencyMs: 50, spread: 0.3, jitterMs: 10, dist: "normal", loss: 0, duplicate: 0 },
  "mainnet-like": DEFAULT_LINKS,
};

/** A config with every default filled in. */
export function defaultConfig(o: Partial<SimConfig> = {}): SimConfig {
  const preset = o.preset ?? "dev";
  const heights = o.heights ?? 1000;
  return {
    validators: 100,
    heights,
    seed: "1",
    preset,
    links: PRESET_LINKS[preset],
    gossipMs: 500,
    txRate: 0,
    faults: [],
    byzantine: [],
    maxTimeMs: 60_000 + heights * 10_000,
    fakeSigner: false,
    futureBuffer: { perPeer: 100, window: 2 },
    ...o,
  };
}
