import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashGenesis, validateGenesis } from "../core/chain/genesis.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey } from "../core/crypto/index.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import { type ConfigLayer, configToYaml, validateConfig } from "./config.js";
import { NodeHomeError, readKeyFile, writeKeyFile } from "./home.js";
import { INIT_FILES, type InitSource } from "./init-source.js";

export interface InitFromSourceResult {
  home: string;
  /** False when the home already existed (a restarted container): keys and data were kept. */
  created: boolean;
  nodeId: string;
  validator: string | null;
  genesisHash: string;
}

function genesisHashOf(text: string, where: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NodeHomeError(
      { code: "NODE_GENESIS_INVALID", file: where, reason: (err as Error).message, hint: "give valid JSON" },
      `${where}: genesis is not valid JSON`,
    );
  }
  try {
    return toHex(hashGenesis(validateGenesis(json)));
  } catch (err) {
    throw new NodeHomeError(
      {
        code: "NODE_GENESIS_INVALID",
        file: where,
        reason: (err as Error).message,
        hint: "check it with `fastpos genesis validate`",
      },
      `${where}: ${(err as Error).message}`,
    );
  }
}

function mismatch(home: string, what: string): NodeHomeError {
  return new NodeHomeError(
    {
      code: "NODE_INIT_MISMATCH",
      home,
      what,
      hint: "this data volume belongs to another node or network; give it a fresh volume (or the matching secrets)",
    },
    `${home} already holds a node whose ${what} differs from the init source's`,
  );
}

/**
 * Makes `home` (a data volume) a node home from an init source (issue 20 item 1). Idempotent, so it runs on
 * every container start: a new home gets genesis, config, keys (0600) and an admin token; an existing one
 * keeps its data and keys, gets the source's config.yaml (config changes apply on restart), and is refused
 * when its genesis or validator key differs from the source's — a volume mixed up between nodes would
 * otherwise sign with one key over another's signer state.
 * @throws NodeHomeError NODE_GENESIS_INVALID, NODE_INIT_MISMATCH, NODE_INIT_INVALID (bad config)
 */
export function initHomeFromSource(home: string, src: InitSource): InitFromSourceResult {
  const genesisHash = genesisHashOf(src.genesisText, `${src.origin} (${INIT_FILES.genesis})`);
  const layer: ConfigLayer = { ...src.config };
  // The home's own layout wins: keys and genesis always sit at the standard names inside it.
  layer.genesis = INIT_FILES.genesis;
  layer.nodeKey = INIT_FILES.nodeKey;
  layer.validatorKey = src.validatorKey ? INIT_FILES.validatorKey : null;
  try {
    validateConfig(layer, `${src.origin} (${INIT_FILES.config})`);
  } catch (err) {
    throw new NodeHomeError(
      {
        code: "NODE_INIT_INVALID",
        source: src.origin,
        hint: "every config key is documented in templates/config.yaml",
      },
      (err as Error).message,
    );
  }
  const genesisFile = join(home, INIT_FILES.genesis);
  const created = !existsSync(genesisFile);
  if (!created && genesisHashOf(readFileSync(genesisFile, "utf8"), genesisFile) !== genesisHash)
    throw mismatch(home, "genesis");
  const vkFile = join(home, INIT_FILES.validatorKey);
  if (!created && src.validatorKey && existsSync(vkFile)) {
    const have = readKeyFile(vkFile);
    if (toHex(have.publicKey) !== toHex(getPublicKey(src.validatorKey)))
      throw mismatch(home, "validator key");
  }
  const nkFile = join(home, INIT_FILES.nodeKey);
  if (!created && src.nodeKey && existsSync(nkFile)) {
    if (toHex(readKeyFile(nkFile).publicKey) !== toHex(getPublicKey(src.nodeKey)))
      throw mismatch(home, "node key");
  }
  mkdirSync(join(home, "data"), { recursive: true, mode: 0o700 });
  mkdirSync(join(home, "logs"), { recursive: true });
  if (created) writeFileAtomicSync(genesisFile, src.genesisText, 0o644);
  writeFileSync(
    join(home, INIT_FILES.config),
    `# written by \`fastpos node start --init-from-…\` from ${src.origin}; edit the source, not this file\n${configToYaml(layer)}`,
  );
  const nodeKey = existsSync(nkFile)
    ? readKeyFile(nkFile)
    : writeKeyFile(nkFile, src.nodeKey ?? randomBytes(32));
  let validator: string | null = null;
  if (src.validatorKey) {
    const k = existsSync(vkFile) ? readKeyFile(vkFile) : writeKeyFile(vkFile, src.validatorKey);
    validator = addressFromPublicKey(k.publicKey);
  }
  const tokenFile = join(home, INIT_FILES.adminToken);
  if (src.adminToken !== undefined || !existsSync(tokenFile))
    writeFileAtomicSync(tokenFile, `${src.adminToken ?? randomBytes(32).toString("hex")}\n`, 0o600);
  return { home, created, nodeId: toHex(nodeKey.publicKey), validator, genesisHash };
}
