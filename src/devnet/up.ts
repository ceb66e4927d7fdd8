import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "../client/client.js";
import { genesisToJson, hashGenesis } from "../core/chain/genesis.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey, keypairFromMnemonic } from "../core/crypto/index.js";
import { createKeystore } from "../keystore/keystore.js";
import { initNodeHome } from "../node/home.js";
import { defaultBlockTimeMs } from "./duration.js";
import type { Manifest } from "./manifest.js";
import { freePorts } from "./ports.js";
import type { DockerNetworkMode } from "./providers/docker.js";
import { providerFor } from "./providers/index.js";
import { processProvider } from "./providers/process.js";
import type { SwarmNetworkMode } from "./providers/swarm.js";
import type { NodeProvider, ProviderKind } from "./providers/types.js";
import { resolveDevnet } from "./resolve.js";
import { startFailure } from "./start-failure.js";
import {
  DevnetError,
  type DevnetFile,
  type DevnetNode,
  devnetDir,
  devnetRunning,
  readDevnet,
  writeDevnet,
} from "./state.js";

export interface UpResult {
  devnet: DevnetFile;
  genesisHash: string;
  firstBlockMs: number;
  /** Docker: whether `up` had to build the image first. */
  imageBuilt?: boolean;
}

export interface UpOptions {
  timeoutMs?: number;
  onProgress?: (msg: string) => void;
  now?: Date;
  provider?: ProviderKind;
  /** Docker provider: image tag (default fastpos-node:VERSION, built offline when missing). */
  image?: string | undefined;
  /** Docker provider: `bridge` (default) or `host`; swarm provider: `overlay` (default) or `host`. */
  network?: DockerNetworkMode | SwarmNetworkMode | undefined;
}

/** Last lines a node printed (crash output), for error messages. */
async function crashOutput(
  provider: NodeProvider,
  d: DevnetFile,
  n: DevnetNode,
  lines = 12,
): Promise<string[]> {
  try {
    return await provider.crashLog(d, n, lines);
  } catch {
    return [];
  }
}

/**
 * `fastpos devnet up`: resolve the manifest, write homes and keys, start every validator as a detached
 * process, and wait until the first block is final (DESIGN.md §6). Nodes keep running after this returns.
 */
export async function devnetUp(home: string, manifest: Manifest, opts: UpOptions = {}): Promise<UpResult> {
  const started = performance.now();
  const kind = opts.provider ?? "process";
  const dir = devnetDir(home, manifest.name);
  if (existsSync(join(dir, "devnet.json"))) {
    const d = readDevnet(home, manifest.name);
    if (devnetRunning(d)) {
      throw new DevnetError(
        { code: "DEVNET_EXISTS", name: d.name },
        `devnet "${d.name}" is already running; use it, stop it with \`fastpos devnet down --name ${d.name}\`, or pick another --name`,
      );
    }
    throw new DevnetError(
      { code: "DEVNET_STALE", name: d.name },
      `devnet "${d.name}" exists but none of its nodes is running (stale state from an earlier run?); remove it with \`fastpos devnet down --name ${d.name}\` or start its nodes with \`fastpos devnet start\``,
    );
  }
  // Docker: reach the engine and have the image before touching the state dir.
  let provider: NodeProvider = processProvider;
  let docker: DevnetFile["docker"];
  let swarm: DevnetFile["swarm"];
  let imageBuilt: boolean | undefined;
  const net = opts.network;
  if (kind === "swarm") {
    const { connectEngine } = await import("./providers/docker.js");
    const { assertSwarmManager, createSwarmProvider } = await import("./providers/swarm.js");
    const { ensureImage } = await import("./image.js");
    const engine = await connectEngine();
    if (net !== undefined && net !== "overlay" && net !== "host")
      throw new DevnetError(
        { code: "DEVNET_BAD_OPTION", option: "network", hint: "use --network overlay or host" },
        `--network ${net} does not apply to --provider swarm (overlay or host)`,
      );
    const placement = await assertSwarmManager(engine);
    const img = await ensureImage(engine, {
      tag: opts.image,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    imageBuilt = img.built !== null;
    swarm = { image: img.tag, network: net ?? "overlay", placement };
    provider = createSwarmProvider(engine, swarm);
  } else if (kind === "docker") {
    if (net === "overlay")
      throw new DevnetError(
        { code: "DEVNET_BAD_OPTION", option: "network", hint: "use --network bridge or host" },
        "--network overlay applies to --provider swarm only",
      );
    const { connectEngine, createDockerProvider } = await import("./providers/docker.js");
    const { ensureImage } = await import("./image.js");
    const engine = await connectEngine();
    const img = await ensureImage(engine, {
      tag: opts.image,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    imageBuilt = img.built !== null;
    docker = { image: img.tag, network: (net as DockerNetworkMode | undefined) ?? "bridge" };
    provider = createDockerProvider(engine, docker);
  } else if (opts.image !== undefined || opts.network !== undefined) {
    throw new DevnetError(
      { code: "DEVNET_BAD_OPTION", option: opts.image !== undefined ? "image" : "network" },
      `--${opts.image !== undefined ? "image" : "network"} applies to --provider docker or swarm only`,
    );
  }
  const count = typeof manifest.validators === "number" ? manifest.validators : manifest.validators.length;
  const plan = resolveDevnet(manifest, await freePorts(count * 2));
  opts.onProgress?.(`writing ${count} node homes`);
  const genesisFile = join(dir, "genesis.json");
  const nodes: DevnetNode[] = plan.nodes.map((p) => ({
    name: p.name,
    home: join(dir, p.name),
    apiUrl: `http://127.0.0.1:${p.apiPort}`,
    p2pUrl: `ws://127.0.0.1:${p.p2pPort}`,
    pid: null,
    validator: addressFromPublicKey(getPublicKey(p.consensusSecretKey)),
    logFile: join(dir, p.name, "logs", "stdout.log"),
  }));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 }); // holds the keystore: private to its user
  const now = (opts.now ?? new Date()).toISOString();
  writeFileSync(genesisFile, genesisToJson(plan.genesis));
  const blockTimeMs = manifest.blockTime ?? defaultBlockTimeMs(manifest.preset);
  const devnet: DevnetFile = {
    version: 1,
    name: plan.name,
    chainId: plan.chainId,
    provider: kind,
    ...(docker ? { docker } : {}),
    ...(swarm ? { swarm } : {}),
    createdAt: now,
    blockTimeMs,
    nodes,
    accounts: plan.accounts.map((a) => ({ name: a.name, address: a.address })),
  };
  plan.nodes.forEach((p, i) => {
    const node = nodes[i] as DevnetNode;
    const net = provider.network(
      devnet,
      node,
      nodes.filter((n) => n !== node),
    );
    initNodeHome({
      home: node.home,
      genesisFile,
      validatorSecretKey: p.consensusSecretKey,
      config: {
        moniker: p.name,
        p2p: { listen: net.p2pListen, peers: net.peers },
        api: { listen: net.apiListen },
        log: { stderr: false },
        consensus: { emptyBlocksIntervalMs: blockTimeMs },
        devnet: { faults: true },
      },
    });
  });
  opts.onProgress?.(
    `starting ${count} validators${kind === "docker" ? ` (containers, ${docker?.network} network)` : kind === "swarm" ? ` (swarm services, ${swarm?.network} network)` : ""}`,
  );
  // Record each pid as soon as it exists, so an interrupted `up` leaves nothing `devnet down` cannot find.
  writeDevnet(home, devnet);
  // In parallel: a container takes ~0.5 s to create and start, a process a few ms to spawn. A process is
  // spawned synchronously, so every node's spawn runs before any signal handler could: one write after
  // them records every pid as safely as one per node (two fsyncs each, on the way to the first block).
  await Promise.all(
    nodes.map(async (n) => {
      if (kind !== "process") n.container = null;
      await provider.start(devnet, n);
      if (kind !== "process") writeDevnet(home, devnet);
    }),
  );
  if (kind === "process") writeDevnet(home, devnet);
  // The keystore is for the CLI's later commands (`tx transfer --from alice`); no node reads it, so it is
  // written while the nodes boot (≈20 key derivations and file writes, off the path to the first block).
  const ks = createKeystore(dir);
  // Named accounts (product-user included) and the oracle committee's member keys (oracle-0…).
  for (const a of [...plan.accounts, ...plan.oracle]) {
    await ks.save(
      {
        name: a.name,
        address: a.address,
        publicKey: a.publicKey,
        createdAt: now,
        encrypted: false,
        kind: "account",
      },
      { mnemonic: a.mnemonic, index: a.index },
    );
  }
  // Validator operator keys too, by node name, so `devnet remove-validator` can unbond them.
  for (const [i, p] of plan.nodes.entries()) {
    const op = keypairFromMnemonic(plan.mnemonic, { index: i });
    await ks.save(
      {
        name: p.name,
        address: op.address,
        publicKey: toHex(op.publicKey),
        createdAt: now,
        encrypted: false,
        kind: "account",
      },
      { mnemonic: plan.mnemonic, index: i },
    );
  }
  opts.onProgress?.("waiting for the first final block");
  await waitForHeight(devnet, 1n, opts.timeoutMs ?? 30_000, provider);
  return {
    devnet,
    genesisHash: toHex(hashGenesis(plan.genesis)),
    firstBlockMs: Math.round(performance.now() - started),
    ...(imageBuilt !== undefined ? { imageBuilt } : {}),
  };
}

/** Polls the nodes until one reports `height`; fails fast (with the log tail) if a node process died. */
export async function waitForHeight(
  d: DevnetFile,
  height: bigint,
  timeoutMs: number,
  provider?: NodeProvider,
): Promise<bigint> {
  const p = provider ?? (await providerFor(d));
  const end = Date.now() + timeoutMs;
  const clients = d.nodes.map((n) => createClient({ url: n.apiUrl, timeoutMs: 1000 }));
  for (;;) {
    let best = -1n;
    await Promise.all(
      clients.map(async (c) => {
        try {
          const h = BigInt((await c.status()).height);
          if (h > best) best = h;
        } catch {}
      }),
    );
    if (best >= height) return best;
    if (best < 0n) {
      // Nobody answers yet: fail fast (with the log tail) once every node has exited.
      const infos = await Promise.all(d.nodes.map((n) => p.inspect(d, n).catch(() => undefined)));
      const dead = d.nodes.find((_, i) => infos[i]?.exited);
      if (dead && infos.every((x) => x?.state === "stopped")) {
        const where = p.kind === "process" ? dead.logFile : `fastpos devnet logs ${dead.name}`;
        throw startFailure(dead.name, await crashOutput(p, d, dead), where);
      }
    }
    if (Date.now() > end) {
      throw new DevnetError(
        { code: "TIMEOUT", name: d.name, height: String(height), best: best < 0n ? null : String(best) },
        `devnet "${d.name}" did not reach height ${height} within ${timeoutMs} ms (best: ${best < 0n ? "unreachable" : best}); see \`fastpos devnet logs\``,
      );
    }
    // PERF: a status request per node every 20 ms costs the nodes little and `up` at most that after the
    // block (it was 50 ms: half of that on average, issue 22 item 4).
    await new Promise((r) => setTimeout(r, 20));
  }
}
