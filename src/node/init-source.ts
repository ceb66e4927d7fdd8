import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { fromHex, toHex } from "../core/codec/index.js";
import { getPublicKey } from "../core/crypto/index.js";
import { type ConfigLayer, scalar } from "./config.js";
import { NodeHomeError } from "./home.js";

/**
 * Where a node home that travels comes from (issue 20 item 1): configuration and secrets alone, no host
 * bind mount. A container's entrypoint (`fastpos node start --init-from-dir /run/secrets`) turns them into
 * a node home on its data volume; `init-home.ts` writes it.
 *
 * Two sources, the same content:
 * - a directory (Docker/Swarm secrets at /run/secrets, a Kubernetes Secret + ConfigMap volume, plain
 *   files): `genesis.json` (required), `config.yaml`, `validator-key.json`, `node-key.json`,
 *   `admin-token`. With an index (`--init-index 2`, or `hostname` for a StatefulSet pod `name-2`), the
 *   files `2.config.yaml`, `2.validator-key.json`, … are taken first, so one volume can serve every ordinal.
 * - the environment: FASTPOS_INIT_GENESIS (JSON, or `base64:` + base64), FASTPOS_INIT_CONFIG (YAML),
 *   FASTPOS_INIT_VALIDATOR_KEY / FASTPOS_INIT_NODE_KEY (64 hex digits or a key file's JSON),
 *   FASTPOS_INIT_ADMIN_TOKEN.
 * SECURITY: secrets are never part of an error message; errors name the file or variable only.
 */
export interface InitSource {
  /** Where it came from, for messages (`/run/secrets`, `environment`). */
  origin: string;
  genesisText: string;
  config: ConfigLayer;
  validatorKey?: Uint8Array;
  nodeKey?: Uint8Array;
  adminToken?: string;
}

export const INIT_FILES = {
  genesis: "genesis.json",
  config: "config.yaml",
  validatorKey: "validator-key.json",
  nodeKey: "node-key.json",
  adminToken: "admin-token",
} as const;

/** The env variables of an env source. */
export const INIT_ENV = {
  genesis: "FASTPOS_INIT_GENESIS",
  config: "FASTPOS_INIT_CONFIG",
  validatorKey: "FASTPOS_INIT_VALIDATOR_KEY",
  nodeKey: "FASTPOS_INIT_NODE_KEY",
  adminToken: "FASTPOS_INIT_ADMIN_TOKEN",
} as const;

function sourceError(file: string, reason: string, hint: string): NodeHomeError {
  return new NodeHomeError({ code: "NODE_INIT_INVALID", source: file, hint }, `${file}: ${reason}`);
}

/**
 * A secret key given as 64 hex digits (0x optional) or as a key file's JSON `{secretKey, publicKey?}`;
 * a publicKey that does not match the secret is refused.
 * @throws NodeHomeError NODE_INIT_INVALID naming `where`, never the key
 */
export function parseSecretKey(text: string, where: string): Uint8Array {
  const t = text.trim();
  const hint =
    "give 64 hex digits or a key file as `fastpos node init` writes it ({address, publicKey, secretKey})";
  let secretHex: unknown = t;
  let publicHex: unknown;
  if (t.startsWith("{")) {
    try {
      const j = JSON.parse(t) as { secretKey?: unknown; publicKey?: unknown };
      secretHex = j.secretKey;
      publicHex = j.publicKey;
    } catch {
      throw sourceError(where, "not valid JSON", hint);
    }
  }
  if (typeof secretHex !== "string" || !/^(0x)?[0-9a-fA-F]{64}$/.test(secretHex))
    throw sourceError(where, "not an ed25519 secret key", hint);
  const secretKey = fromHex(secretHex.startsWith("0x") ? secretHex : `0x${secretHex}`, 32);
  if (publicHex !== undefined && String(publicHex).toLowerCase() !== toHex(getPublicKey(secretKey)))
    throw sourceError(where, "publicKey does not match secretKey", hint);
  return secretKey;
}

function parseConfigText(text: string, where: string): ConfigLayer {
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (err) {
    throw sourceError(where, `not valid YAML: ${(err as Error).message.split("\n")[0]}`, "fix the YAML");
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw sourceError(where, "must be a YAML mapping", "");
  return v as ConfigLayer;
}

/** The ordinal a pod's hostname ends with (`fastpos-2` → 2), for `--init-index hostname`. */
export function indexFromHostname(name = hostname()): number {
  const m = /-(\d+)$/.exec(name);
  if (!m)
    throw sourceError(
      `hostname "${name}"`,
      "ends with no ordinal (-N)",
      "use --init-index N, or run in a StatefulSet pod named NAME-N",
    );
  return Number(m[1]);
}

/**
 * Reads an init source directory, or several looked through in order (swarm: secrets in /run/secrets,
 * configs in /etc/fastpos); with `index`, `<index>.<file>` wins over `<file>`.
 * @throws NodeHomeError NODE_GENESIS_MISSING without a genesis, NODE_INIT_INVALID for a bad key
 */
export function readInitDir(dirs: string | string[], index?: number): InitSource {
  const list = typeof dirs === "string" ? [dirs] : dirs;
  const dir = list.join(", ");
  const pick = (name: string): string | undefined => {
    const candidates = index === undefined ? [name] : [`${index}.${name}`, name];
    for (const c of candidates) for (const d of list) if (existsSync(join(d, c))) return join(d, c);
    return undefined;
  };
  // An ordinal with no files of its own (a StatefulSet scaled past its keys) must not start as a stray
  // full node with a default config: say so.
  if (
    index !== undefined &&
    !list.some((d) => existsSync(d) && readdirSync(d).some((f) => f.startsWith(`${index}.`)))
  )
    throw sourceError(
      dir,
      `holds no files for ordinal ${index} (${index}.config.yaml, ${index}.validator-key.json, …)`,
      "the exported validator set is fixed: add validators to the devnet and export again",
    );
  const genesis = pick(INIT_FILES.genesis);
  if (!genesis)
    throw new NodeHomeError(
      {
        code: "NODE_GENESIS_MISSING",
        file: join(list[0] ?? ".", INIT_FILES.genesis),
        hint: "mount the network's genesis.json (secret, config or ConfigMap) into the init directory",
      },
      `no ${INIT_FILES.genesis} in ${dir}`,
    );
  const read = (f: string) => readFileSync(f, "utf8");
  const config = pick(INIT_FILES.config);
  const vk = pick(INIT_FILES.validatorKey);
  const nk = pick(INIT_FILES.nodeKey);
  const token = pick(INIT_FILES.adminToken);
  return {
    origin: dir,
    genesisText: read(genesis),
    config: config ? parseConfigText(read(config), config) : {},
    ...(vk ? { validatorKey: parseSecretKey(read(vk), vk) } : {}),
    ...(nk ? { nodeKey: parseSecretKey(read(nk), nk) } : {}),
    ...(token && read(token).trim() ? { adminToken: read(token).trim() } : {}),
  };
}

/**
 * Reads an init source from the environment (INIT_ENV).
 * @throws NodeHomeError NODE_GENESIS_MISSING without FASTPOS_INIT_GENESIS, NODE_INIT_INVALID for a bad key
 */
export function readInitEnv(env: NodeJS.ProcessEnv): InitSource {
  const g = env[INIT_ENV.genesis];
  if (!g?.trim())
    throw new NodeHomeError(
      {
        code: "NODE_GENESIS_MISSING",
        file: INIT_ENV.genesis,
        hint: `set ${INIT_ENV.genesis} to the genesis JSON (or base64:…)`,
      },
      `${INIT_ENV.genesis} is not set`,
    );
  const genesisText = g.startsWith("base64:") ? Buffer.from(g.slice(7), "base64").toString("utf8") : g;
  const vk = env[INIT_ENV.validatorKey];
  const nk = env[INIT_ENV.nodeKey];
  const token = env[INIT_ENV.adminToken]?.trim();
  const config = env[INIT_ENV.config];
  return {
    origin: "environment",
    genesisText,
    config: config ? parseConfigText(config, INIT_ENV.config) : {},
    ...(vk ? { validatorKey: parseSecretKey(vk, INIT_ENV.validatorKey) } : {}),
    ...(nk ? { nodeKey: parseSecretKey(nk, INIT_ENV.nodeKey) } : {}),
    ...(token ? { adminToken: token } : {}),
  };
}

/** `--init-index` as given: a number, or `hostname`. */
export function parseInitIndex(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === "hostname") return indexFromHostname();
  const v = scalar(raw);
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw sourceError(`--init-index ${raw}`, "is not an ordinal", "give N ≥ 0 or `hostname`");
  return v;
}
