import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultImageTag } from "../image.js";
import { DevnetError, type DevnetFile, devnetDir } from "../state.js";

/** Ports inside a container: every node listens on the same ones, peers differ by host name. */
export const CONTAINER_P2P_PORT = 26656;
export const CONTAINER_API_PORT = 26660;
/** Where the node home (data volume) sits inside a container. */
export const CONTAINER_HOME = "/var/lib/fastpos";

/** One validator of an exported devnet: its secrets as file contents (never logged). */
export interface ExportNode {
  name: string;
  index: number;
  validator: string;
  /** validator-key.json, node-key.json and admin-token as the node home holds them. */
  validatorKeyJson: string;
  nodeKeyJson: string;
  adminToken: string;
}

/**
 * What every exporter (compose, k8s) and the swarm provider generate from (issue 20): the devnet's chain —
 * genesis and validator keys — and nothing of where it ran. Generators are pure functions of this.
 */
export interface ExportInput {
  name: string;
  chainId: string;
  image: string;
  genesisJson: string;
  nodes: ExportNode[];
}

function need(file: string, what: string, d: DevnetFile): string {
  if (!existsSync(file))
    throw new DevnetError(
      { code: "DEVNET_BAD_OPTION", option: "devnet", hint: "export a devnet whose homes are still on disk" },
      `devnet "${d.name}" has no ${what} at ${file} (removed with \`devnet down\`?); recreate it with \`fastpos devnet up\``,
    );
  return readFileSync(file, "utf8");
}

/** Reads the export input of a devnet record (its genesis and node homes under the state dir). */
export function readExportInput(home: string, d: DevnetFile, image?: string): ExportInput {
  const dir = devnetDir(home, d.name);
  return {
    name: d.name,
    chainId: d.chainId,
    image: image ?? d.docker?.image ?? defaultImageTag(),
    genesisJson: need(join(dir, "genesis.json"), "genesis", d),
    nodes: d.nodes.map((n, index) => ({
      name: n.name,
      index,
      validator: n.validator,
      validatorKeyJson: need(join(n.home, "validator-key.json"), "validator key", d),
      nodeKeyJson: need(join(n.home, "node-key.json"), "node key", d),
      adminToken: need(join(n.home, "admin-token"), "admin token", d).trim(),
    })),
  };
}
