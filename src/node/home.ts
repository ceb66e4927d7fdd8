import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { type Genesis, validateGenesis } from "../core/chain/genesis.js";
import { fromHex, toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey } from "../core/crypto/index.js";
import { FastposError } from "../core/errors.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import { type ConfigLayer, configToYaml, validateConfig } from "./config.js";

/**
 * A node home directory (DESIGN.md §5/§6):
 *   config.yaml, genesis.json, node-key.json (p2p identity, 0600), admin-token (0600),
 *   validator-key.json (consensus key, 0600, validators only), data/ (LevelDB, signer state, WAL), logs/.
 */
export type NodeHomeErrorType =
  | { code: "NODE_HOME_EXISTS"; home: string }
  | { code: "NODE_HOME_MISSING"; home: string; file: string; hint: string }
  | { code: "NODE_KEY_MISSING"; file: string; hint: string }
  | { code: "NODE_KEY_INVALID"; file: string; hint?: string }
  | { code: "NODE_KEY_INSECURE"; file: string; mode: string; hint: string }
  | { code: "NODE_GENESIS_MISSING"; file: string; hint: string }
  | { code: "NODE_GENESIS_INVALID"; file: string; reason: string; issues?: string[]; hint: string }
  | { code: "NODE_INIT_INVALID"; source: string; hint: string }
  | { code: "NODE_INIT_MISMATCH"; home: string; what: string; hint: string };
export class NodeHomeError extends FastposError<NodeHomeErrorType> {}

/**
 * Fails unless `home` is a node home (a directory), so `node start` on a mistyped path says so instead of
 * creating `logs/` there and failing later on a missing genesis.
 * @throws NodeHomeError NODE_HOME_MISSING
 */
export function assertNodeHome(home: string): void {
  let isDir = false;
  try {
    isDir = statSync(home).isDirectory();
  } catch {}
  if (!isDir)
    throw new NodeHomeError(
      {
        code: "NODE_HOME_MISSING",
        home,
        file: home,
        hint: `create it with \`fastpos node init --home ${home}\` (or check the --home path)`,
      },
      `no node home at ${home}`,
    );
}

/**
 * SECURITY: refuses a secret file (validator key, node key, admin token) that group or others may read or
 * write (issue 24 item 10): such a key may already be in other hands, and a node that quietly runs with it
 * hides that. `node init` and devnets write these files 0600. Not checked on Windows (no POSIX modes).
 * @throws NodeHomeError NODE_KEY_INSECURE naming the file, its mode and the chmod that fixes it
 */
export function assertPrivateFile(file: string): void {
  if (process.platform === "win32") return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  const octal = mode.toString(8).padStart(4, "0");
  throw new NodeHomeError(
    {
      code: "NODE_KEY_INSECURE",
      file,
      mode: octal,
      hint: `make it private to its owner: chmod 600 ${file}`,
    },
    `${file} is accessible by group or others (mode ${octal}); refusing to use it`,
  );
}

export interface KeyFile {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  address: string;
}

/** Writes an ed25519 key file `{address, publicKey, secretKey}` (hex) with mode 0600. */
export function writeKeyFile(file: string, secretKey: Uint8Array): KeyFile {
  const publicKey = getPublicKey(secretKey);
  const address = addressFromPublicKey(publicKey);
  writeFileAtomicSync(
    file,
    `${JSON.stringify({ address, publicKey: toHex(publicKey), secretKey: toHex(secretKey) }, null, 2)}\n`,
    0o600,
  );
  return { secretKey, publicKey, address };
}

/**
 * Reads a key file written by `writeKeyFile`, checking that it is private (0600) and that the public key
 * matches the secret.
 * @throws NodeHomeError NODE_KEY_MISSING, NODE_KEY_INSECURE, NODE_KEY_INVALID
 */
export function readKeyFile(file: string): KeyFile {
  if (!existsSync(file))
    throw new NodeHomeError(
      {
        code: "NODE_KEY_MISSING",
        file,
        hint: "restore the key file, or point nodeKey / validatorKey in config.yaml at it (`fastpos node init --force` creates a missing node key)",
      },
      `key file ${file} not found`,
    );
  assertPrivateFile(file);
  try {
    const j = JSON.parse(readFileSync(file, "utf8"));
    const secretKey = fromHex(j.secretKey, 32);
    const publicKey = getPublicKey(secretKey);
    if (toHex(publicKey) !== j.publicKey) throw new Error("public key does not match the secret key");
    return { secretKey, publicKey, address: addressFromPublicKey(publicKey) };
  } catch (err) {
    throw new NodeHomeError(
      { code: "NODE_KEY_INVALID", file },
      `key file ${file} is invalid: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

export interface InitOptions {
  home: string;
  genesisFile: string;
  /** Consensus secret key for a validator, or undefined for a full node. */
  validatorSecretKey?: Uint8Array | undefined;
  config: ConfigLayer;
  force?: boolean;
}

/** Creates a node home. Refuses to touch a non-empty home unless `force` (then keys are kept, never replaced). */
export function initNodeHome(opts: InitOptions) {
  const { home } = opts;
  if (existsSync(home) && readdirSync(home).length > 0 && !opts.force) {
    throw new NodeHomeError(
      { code: "NODE_HOME_EXISTS", home },
      `${home} is not empty; pass --force to rewrite its config and genesis (keys and data are kept)`,
    );
  }
  mkdirSync(join(home, "data"), { recursive: true, mode: 0o700 });
  mkdirSync(join(home, "logs"), { recursive: true });
  const layer: ConfigLayer = { ...opts.config };
  if (opts.validatorSecretKey) layer.validatorKey = "validator-key.json";
  const config = validateConfig(layer, "node init flags");
  writeFileSync(
    join(home, "config.yaml"),
    `# fastpos node config; see templates/config.yaml for every key\n${configToYaml(layer)}`,
  );
  copyFileSync(opts.genesisFile, join(home, "genesis.json"));
  const nodeKeyFile = join(home, config.nodeKey);
  const nodeKey = existsSync(nodeKeyFile)
    ? readKeyFile(nodeKeyFile)
    : writeKeyFile(nodeKeyFile, randomBytes(32));
  const tokenFile = join(home, "admin-token");
  if (!existsSync(tokenFile)) writeFileAtomicSync(tokenFile, `${randomBytes(32).toString("hex")}\n`, 0o600);
  let validator: KeyFile | undefined;
  if (opts.validatorSecretKey) {
    const file = join(home, "validator-key.json");
    validator = existsSync(file) ? readKeyFile(file) : writeKeyFile(file, opts.validatorSecretKey);
  }
  return { home, config, nodeKey, validator };
}

/** The admin bearer token of a node home. */
export function readAdminToken(home: string): string {
  return readFileSync(join(home, "admin-token"), "utf8").trim();
}

/**
 * The admin token a starting node uses: `<home>/admin-token`, which must be private (0600); a random one
 * (admin endpoints then unusable) when the file does not exist.
 * @throws NodeHomeError NODE_KEY_INSECURE when the token file is readable by group or others
 */
export function loadAdminToken(home: string): string {
  const file = join(home, "admin-token");
  if (!existsSync(file)) return randomBytes(32).toString("hex");
  assertPrivateFile(file);
  const token = readAdminToken(home);
  return token || randomBytes(32).toString("hex");
}

/**
 * Reads and validates a node's genesis file.
 * @throws NodeHomeError NODE_GENESIS_MISSING / NODE_GENESIS_INVALID (not JSON, or not a valid genesis:
 *   `issues` names each field), so `node start` reports an operator error, not a bug
 */
export function loadGenesisFile(file: string): Genesis {
  const hint = `put the network's genesis.json at ${file} (\`fastpos node init --force --home ${dirname(file)} --genesis FILE\` copies it and keeps keys and data)`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    if (missing)
      throw new NodeHomeError({ code: "NODE_GENESIS_MISSING", file, hint }, `genesis file ${file} not found`);
    throw new NodeHomeError(
      { code: "NODE_GENESIS_INVALID", file, reason: (err as Error).message, hint },
      `cannot read genesis file ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NodeHomeError(
      { code: "NODE_GENESIS_INVALID", file, reason: (err as Error).message, hint },
      `genesis file ${file} is not valid JSON: ${(err as Error).message}`,
    );
  }
  try {
    return validateGenesis(json);
  } catch (err) {
    const issues = (err as FastposError).data?.issues as string[] | undefined;
    throw new NodeHomeError(
      {
        code: "NODE_GENESIS_INVALID",
        file,
        reason: (err as Error).message,
        ...(Array.isArray(issues) ? { issues } : {}),
        hint,
      },
      `genesis file ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
