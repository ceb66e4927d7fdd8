import { stringify as stringifyYaml } from "yaml";
import { NODE_ENV_VARS } from "../providers/process.js";
import {
  CONTAINER_API_PORT,
  CONTAINER_HOME,
  CONTAINER_P2P_PORT,
  type ExportInput,
  type ExportNode,
} from "./input.js";

/** One file an exporter writes: path relative to the out dir, content, mode (secrets 0600). */
export interface ExportFile {
  path: string;
  content: string;
  mode: number;
}

/** The compose project name of an exported devnet (container and volume names derive from it). */
export function composeProject(name: string): string {
  return `fastpos-${name}`;
}

/** The container name of a node in the compose project (fixed, so the CLI finds it by name). */
export function composeContainer(name: string, node: string): string {
  return `${composeProject(name)}-${node}`;
}

/** A healthcheck the shell-less image can run: node's own fetch against /readyz. */
export function readyProbe(port = CONTAINER_API_PORT): string[] {
  return [
    "CMD",
    "/usr/local/bin/node",
    "-e",
    `fetch('http://127.0.0.1:${port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ];
}

/**
 * A node's config.yaml inside a container network: listen on every interface of the container, dial the
 * other validators by service name. Shared by compose, swarm (overlay) and k8s (with their own host names).
 */
export function containerNodeConfig(n: ExportNode, peerHosts: string[]): string {
  return stringifyYaml({
    moniker: n.name,
    p2p: {
      listen: `0.0.0.0:${CONTAINER_P2P_PORT}`,
      peers: peerHosts.map((h) => `ws://${h}:${CONTAINER_P2P_PORT}`),
    },
    api: { listen: `0.0.0.0:${CONTAINER_API_PORT}` },
    log: { stderr: true },
    devnet: { faults: true },
  });
}

/** The files of a node's init source (what `node start --init-from-dir` reads), by name. */
export function secretFiles(n: ExportNode): { name: string; file: string; content: string }[] {
  return [
    { name: "validator-key", file: "validator-key.json", content: n.validatorKeyJson },
    { name: "node-key", file: "node-key.json", content: n.nodeKeyJson },
    { name: "admin-token", file: "admin-token", content: `${n.adminToken}\n` },
  ];
}

/**
 * `devnet export --format compose` (issue 20 item 2), pure: a docker-compose.yml (file format 3.7, which
 * Debian's docker-compose 1.29 and `docker compose` both run) plus genesis, per-node config and secret files.
 * Each validator is one service whose home is made at start from its secrets (`--init-from-dir
 * /run/secrets`) on a named volume: nothing of this machine is bind-mounted except the secret files
 * themselves, the way compose provides secrets. Each API is published on 127.0.0.1:`apiPorts[i]`.
 */
export function composeExport(input: ExportInput, apiPorts: number[]): ExportFile[] {
  const files: ExportFile[] = [{ path: "genesis.json", content: input.genesisJson, mode: 0o644 }];
  const services: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = { genesis: { file: "./genesis.json" } };
  const volumes: Record<string, unknown> = {};
  for (const n of input.nodes) {
    const peers = input.nodes.filter((p) => p !== n).map((p) => p.name);
    files.push({ path: `nodes/${n.name}/config.yaml`, content: containerNodeConfig(n, peers), mode: 0o644 });
    secrets[`${n.name}-config`] = { file: `./nodes/${n.name}/config.yaml` };
    const mounts = [
      { source: "genesis", target: "genesis.json" },
      { source: `${n.name}-config`, target: "config.yaml" },
    ];
    for (const s of secretFiles(n)) {
      files.push({ path: `secrets/${n.name}/${s.file}`, content: s.content, mode: 0o600 });
      secrets[`${n.name}-${s.name}`] = { file: `./secrets/${n.name}/${s.file}` };
      mounts.push({ source: `${n.name}-${s.name}`, target: s.file });
    }
    volumes[`${n.name}-data`] = {};
    const port = apiPorts[n.index];
    if (port === undefined) throw new RangeError(`no API port for ${n.name}`);
    services[n.name] = {
      image: input.image,
      container_name: composeContainer(input.name, n.name),
      hostname: n.name,
      command: ["node", "start", "--home", CONTAINER_HOME, "--init-from-dir", "/run/secrets"],
      environment: { ...NODE_ENV_VARS, NODE_OPTIONS: "--max-semi-space-size=4 --max-old-space-size=192" },
      init: true,
      ports: [`127.0.0.1:${port}:${CONTAINER_API_PORT}`],
      volumes: [`${n.name}-data:${CONTAINER_HOME}`],
      secrets: mounts,
      labels: { "org.fastpos.devnet": input.name, "org.fastpos.node": n.name },
      healthcheck: { test: readyProbe(), interval: "5s", timeout: "3s", retries: 3, start_period: "10s" },
    };
  }
  const doc = { version: "3.7", services, volumes, secrets };
  const header = [
    `# fastpos devnet "${input.name}" (chain ${input.chainId}), written by \`fastpos devnet export --format compose\`.`,
    "#   docker-compose up -d        # or: docker compose up -d",
    `#   fastpos devnet status --devnet ${input.name}-compose`,
    "#   docker-compose down -v      # also deletes the chain data volumes",
    "# secrets/ holds validator keys: keep this directory private.",
    "",
  ].join("\n");
  files.unshift({ path: "docker-compose.yml", content: header + stringifyYaml(doc), mode: 0o644 });
  return files;
}
