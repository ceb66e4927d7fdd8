import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
  | { code: "NODE_HOME_MISSING"; home: string; file: string }
  | { code: "NODE_KEY_INVALID"; file: string };
export class NodeHomeError extends FastposError<NodeHomeErrorType> {}

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

/** Reads a key file written by `writeKeyFile`, checking that the public key matches the secret. */
export function readKeyFile(file: string): KeyFile {
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
      {
        cause: err,
      },
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
