/**
 * Node configuration (DESIGN.md §5): `<home>/config.yaml` < `FASTPOS_*` env < CLI flags, validated by one
 * strict schema. Unknown keys and bad values are errors naming the key, never silently ignored.
 * `templates/config.yaml` documents every key; a test keeps the two in sync.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import * as z from "zod";
import { ONE_SHOT } from "../core/chain/params-schema.js";
import { FastposError } from "../core/errors.js";
import { P2P_DEFAULTS } from "./p2p/peer-slots.js";
import { TX_BUDGET_DEFAULTS } from "./p2p/tx-budget.js";

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, { message: "must be HOST:PORT, e.g. 127.0.0.1:26656", abort: true })
  .refine((s) => Number(s.split(":")[1]) <= 65535, "port must be ≤ 65535");

const peer = z.string().regex(/^wss?:\/\/[^\s/]+(\/.*)?$/, "must be a ws:// URL, e.g. ws://127.0.0.1:26656");

export const ConfigSchema = z
  .object({
    moniker: z.string().min(1).max(64).default("node"),
    /** Validator key file (relative to home) or null for a non-validating full node. */
    validatorKey: z.string().nullable().default(null),
    /** Node identity key file (p2p), relative to home. */
    nodeKey: z.string().default("node-key.json"),
    genesis: z.string().default("genesis.json"),
    p2p: z
      .object({
        listen: hostPort.default("127.0.0.1:26656"),
        peers: z.array(peer).default([]),
        maxPeers: z.int().min(1).max(1000).default(50),
        maxFrameBytes: z
          .int()
          .min(1024)
          .max(64 << 20)
          .default(4 << 20),
        maxMessagesPerSecond: z.int().min(1).default(5000),
        banSeconds: z.int().min(0).default(60),
        peerExchange: z.boolean().default(true),
        /**
         * SECURITY: most non-reserved inbound peers, and inbound handshakes in progress, from one IP.
         * Configured and validator peers do not count, so a devnet of many nodes on 127.0.0.1 is unaffected.
         */
        maxInboundPerIp: z.int().min(1).default(P2P_DEFAULTS.maxInboundPerIp),
        /** SECURITY: full txs accepted per second from one peer (hashes: twice as many); bursts of 2 s. */
        txsPerSecondPerPeer: z.int().min(1).default(TX_BUDGET_DEFAULTS.txsPerSecond),
        /** SECURITY: bytes of txs accepted per second from one peer (and served to it); bursts of 2 s. */
        txBytesPerSecondPerPeer: z.int().min(1024).default(TX_BUDGET_DEFAULTS.txBytesPerSecond),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        listen: hostPort.default("127.0.0.1:26660"),
        maxBodyBytes: z
          .int()
          .min(1024)
          .max(64 << 20)
          .default(1 << 20),
        requestsPerSecondPerIp: z.int().min(1).default(1000),
        /**
         * SECURITY: per-IP tx budget of `POST /v1/txs` and `/v1/txs/batch` (a batch of N costs N; bursts of
         * twice this). Admission verifies a signature per tx, so this, not the request rate, bounds how much
         * CPU one client can spend (issue 24 item 7).
         */
        txsPerSecondPerIp: z.int().min(1).default(2000),
        /**
         * Most txs in one `/v1/txs/batch` request: bounds one request's total work and memory (its admission
         * runs in slices of ≤10 ms, so the event loop stays responsive whatever the size).
         */
        maxBatchTxs: z.int().min(1).max(10_000).default(2000),
        /** Most `/v1/events` WebSocket subscribers at once (more get 503). */
        maxEventSubscribers: z.int().min(1).max(100_000).default(256),
        /**
         * Most `GET /v1/txs/:hash?wait=final` requests waiting at once (more get 503 TOO_MANY_WAITERS). Above
         * the per-IP socket cap (1,024), so one host cannot take every slot.
         */
        maxTxWaiters: z.int().min(1).max(100_000).default(4096),
        requestTimeoutMs: z.int().min(100).default(10_000),
      })
      .strict()
      .prefault({}),
    mempool: z
      .object({
        maxTxs: z.int().min(1).default(20_000),
        maxBytes: z
          .int()
          .min(1024)
          .default(32 << 20),
        maxPerSender: z.int().min(1).default(500),
        /**
         * Most txs this node puts in a block it proposes (the chain's maxBlockTxs still applies). PERF: bounds
         * the time to build and to validate a proposal, so it reaches the other validators within their
         * propose timeout even under saturation; oversized blocks made rounds fail back to back.
         */
        maxBlockTxs: z.int().min(1).default(2000),
      })
      .strict()
      .prefault({}),
    consensus: z
      .object({
        /**
         * Idle mode (issue 19 item 6): with nothing to put in a block, wait up to this long (ms) before
         * starting the next height; a tx, evidence or a peer's next-height message starts it at once.
         * 0 = off (a block every commit wait). Liveness only: what is decided does not depend on it.
         */
        emptyBlocksIntervalMs: z.int().min(0).max(3_600_000).default(0),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        stderr: z.boolean().default(true),
        /**
         * SECURITY: `<home>/logs/node.log` is rotated past this size (node.log.1 … node.log.<maxFiles>), so a
         * flood of log lines cannot fill the disk: at most maxBytes × (maxFiles + 1) bytes (issue 24 item 8).
         */
        maxBytes: z
          .int()
          .min(64 << 10)
          .default(16 << 20),
        /** Rotated log files kept besides node.log (0: node.log starts over when full). */
        maxFiles: z.int().min(0).max(100).default(5),
      })
      .strict()
      .prefault({}),
    snapshot: z
      .object({
        /** Write a state snapshot every this many blocks, for peers that state-sync (0: never). */
        interval: z.int().min(0).default(1000),
        /** Snapshots kept (older ones are deleted). */
        keep: z.int().min(1).max(100).default(2),
        /** Size of each snapshot chunk (small sizes are for tests: more chunks, more frames). */
        chunkBytes: z
          .int()
          .min(256)
          .max(16 << 20)
          .default(256 << 10),
        /** SECURITY: chunk requests served per second to one peer (bursts of twice that). */
        chunksPerSecondPerPeer: z.int().min(1).default(50),
      })
      .strict()
      .prefault({}),
    pruning: z
      .object({
        /** Keep only the newest this many blocks (0: keep every block). State and snapshots are kept. */
        keepBlocks: z.int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    stateSync: z
      .object({
        /** On a fresh node: fetch a verified state snapshot from peers instead of replaying every block. */
        enabled: z.boolean().default(false),
        /** A trusted header: the snapshot must be at this height (0: trust the genesis validator set). */
        trustHeight: z.int().min(0).default(0),
        /** The trusted header's block hash (0x-hex), with trustHeight. */
        trustHash: z
          .string()
          .regex(/^(0x[0-9a-fA-F]{64})?$/, "must be a 0x-hex block hash")
          .default(""),
        /** How long snapshot offers are collected before one is chosen. */
        discoveryMs: z.int().min(0).default(3000),
        /** Longest the state sync may take before the node gives up (exit 1). */
        timeoutMs: z.int().min(1000).default(120_000),
      })
      .strict()
      .prefault({}),
    devnet: z
      .object({
        /** Enables the admin fault API (drop or delay p2p traffic per peer). Never on real networks. */
        faults: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /**
     * SECURITY: test-only behaviour that gets this validator slashed. Refused unless `enabled` is true AND the
     * chain id is a devnet's (`fastpos devnet byzantine` sets both); see node/byzantine.ts.
     */
    unsafe: z
      .object({
        enabled: z.boolean().default(false),
        /** Sign conflicting messages of this kind (bypassing the double-sign guard), or null. */
        byzantine: z
          .object({
            equivocate: z.enum(["prevote", "precommit", "proposal"]),
            /**
             * Targeted equivocation: the honest message goes only to half of the peers, the conflicting one
             * only to the other half, re-sends included, so no peer receives both from this node.
             */
            split: z.boolean().default(false),
          })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type NodeConfig = z.infer<typeof ConfigSchema>;

export type ConfigErrorType =
  | { code: "CONFIG_INVALID"; source: string; issues: string[]; hint: string }
  | { code: "CONFIG_UNREADABLE"; file: string; reason: string; hint: string };

/** The hint of every config error: where each key is documented. */
const CONFIG_HINT = "fix the file; every key and its default is documented in templates/config.yaml";
export class ConfigError extends FastposError<ConfigErrorType> {}

/** A partial, untyped config layer (from YAML, env or flags) before validation. */
export type ConfigLayer = Record<string, unknown>;

/** Deep-merges config layers; later layers win; arrays are replaced, not concatenated. */
export function mergeLayers(...layers: ConfigLayer[]): ConfigLayer {
  const out: ConfigLayer = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      const prev = out[k];
      out[k] =
        isPlainObject(prev) && isPlainObject(v) ? mergeLayers(prev as ConfigLayer, v as ConfigLayer) : v;
    }
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets `a.b.c` in a layer, creating objects on the way. */
export function setPath(layer: ConfigLayer, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = layer;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(cur[k])) cur[k] = {};
    cur = cur[k] as ConfigLayer;
  }
  cur[keys[keys.length - 1] as string] = value;
}

/** Reads `<home>/config.yaml` (missing file = empty layer). */
export function readConfigFile(file: string): ConfigLayer {
  if (!existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(
      { code: "CONFIG_UNREADABLE", file, reason: (err as Error).message, hint: CONFIG_HINT },
      `${file}: cannot read it: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return parseConfigText(text, file);
}

/** Largest config file read, and deepest nesting of flow collections (`[` / `{`) in it. */
export const MAX_CONFIG_BYTES = 256 * 1024;
export const MAX_CONFIG_NESTING = 64;

/**
 * SECURITY: the YAML parser recurses per nesting level and a few thousand levels abort the process (an
 * out-of-memory in V8's regexp compiler, found by fuzzing: not a catchable error). A real config is a
 * few hundred bytes two levels deep, so size and flow nesting are bounded before parsing. Brackets in
 * quoted strings are skipped; in comments they count (harmless: a config never has 64 of them).
 */
function tooComplex(text: string): string | null {
  if (text.length > MAX_CONFIG_BYTES) return `larger than ${MAX_CONFIG_BYTES} bytes`;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "{") {
      if (++depth > MAX_CONFIG_NESTING) return `nested deeper than ${MAX_CONFIG_NESTING} levels`;
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  // Block (indentation) nesting: every level costs at least one more space of indent per line.
  let indent = 0;
  for (const line of text.split("\n")) indent = Math.max(indent, line.length - line.trimStart().length);
  return indent > MAX_CONFIG_NESTING * 8 ? `indented deeper than ${MAX_CONFIG_NESTING * 8} columns` : null;
}

/**
 * A config file's YAML text as a layer (fuzzed: issue 23).
 * @throws ConfigError CONFIG_UNREADABLE when it is not YAML or not a mapping.
 */
export function parseConfigText(text: string, file: string): ConfigLayer {
  const refused = tooComplex(text);
  if (refused)
    throw new ConfigError(
      { code: "CONFIG_UNREADABLE", file, reason: refused, hint: CONFIG_HINT },
      `${file}: ${refused}`,
    );
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      { code: "CONFIG_UNREADABLE", file, reason: (err as Error).message, hint: CONFIG_HINT },
      `${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ConfigError(
      { code: "CONFIG_UNREADABLE", file, reason: "not a mapping", hint: CONFIG_HINT },
      `${file}: must be a YAML mapping`,
    );
  }
  return parsed as ConfigLayer;
}

/**
 * The env layer: `FASTPOS_<SECTION>_<KEY>` in UPPER_SNAKE, e.g. FASTPOS_P2P_LISTEN, FASTPOS_API_UNSAFE_SIGNING,
 * FASTPOS_P2P_PEERS (comma-separated), FASTPOS_MONIKER. Values are parsed as YAML scalars (true, 42, …).
 * Variables that name no config key are ignored here (FASTPOS_HOME, FASTPOS_PASSWORD belong to the CLI).
 */
export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const path of configPaths()) {
    const name = `FASTPOS_${path
      .replace(/\./g, "_")
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined) continue;
    setPath(
      layer,
      path,
      path === "p2p.peers"
        ? raw
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : scalar(raw),
    );
  }
  return layer;
}

/** Parses a string the way YAML would parse a scalar (numbers, booleans, null), else keeps the string. */
export function scalar(raw: string): unknown {
  try {
    const v = parseYaml(raw);
    return typeof v === "object" && v !== null ? raw : v;
  } catch {
    return raw;
  }
}

/** Every leaf key path of the schema, e.g. `p2p.listen`. */
export function configPaths(): string[] {
  const defaults = ConfigSchema.parse({}, ONE_SHOT);
  const out: string[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (isPlainObject(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else out.push(`${prefix}${k}`);
    }
  };
  walk(defaults as unknown as Record<string, unknown>, "");
  return out;
}

/** Validates merged layers; each issue names the key path and what is wrong with it. */
export function validateConfig(layer: ConfigLayer, source: string): NodeConfig {
  const r = ConfigSchema.safeParse(layer, ONE_SHOT);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    if (i.code === "unrecognized_keys") {
      const base = i.path.length ? `${i.path.join(".")}.` : "";
      return `unknown key ${i.keys.map((k) => `"${base}${k}"`).join(", ")}`;
    }
    return `${i.path.join(".") || "(root)"}: ${i.message}`;
  });
  throw new ConfigError(
    { code: "CONFIG_INVALID", source, issues, hint: CONFIG_HINT },
    `invalid config (${source}): ${issues.join("; ")}`,
  );
}

/** Loads the effective config for a node home: file < env < flags. */
export function loadConfig(
  home: string,
  opts: { env?: NodeJS.ProcessEnv; flags?: ConfigLayer } = {},
): NodeConfig {
  const file = join(home, "config.yaml");
  const merged = mergeLayers(readConfigFile(file), envLayer(opts.env ?? {}), opts.flags ?? {});
  return validateConfig(merged, `${file} + FASTPOS_* env + flags`);
}

/** YAML text of a config layer (for `node init`). */
export function configToYaml(layer: ConfigLayer): string {
  return stringifyYaml(layer);
}
