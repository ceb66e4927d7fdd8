import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "../client/client.js";
import { genesisToJson, hashGenesis } from "../core/chain/genesis.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey, keypairFromMnemonic } from "../core/crypto/index.js";
import { createKeystore } from "../keystore/keystore.js";
import { initNodeHome } from "../node/home.js";
import type { Manifest } from "./manifest.js";
import { freePorts } from "./ports.js";
import { isAlive, spawnDetached } from "./providers/process.js";
import { resolveDevnet } from "./resolve.js";
import {
  DevnetError,
  type DevnetFile,
  type DevnetNode,
  devnetDir,
  devnetRunning,
  readDevnet,
  writeDevnet,
} from "./state.js";

/** The CLI entry point used to run nodes (works from dist/ and, via tsx, from src/). */
export const RUN_JS = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

export interface UpResult {
  devnet: DevnetFile;
  genesisHash: string;
  firstBlockMs: number;
}

/** Starts one node process of a devnet and returns its pid. */
export function spawnNode(n: DevnetNode): number {
  return spawnDetached({
    // PERF: a 4 MB young generation and a 192 MB old-space cap keep a node's RSS ~120 MB at 500 tx/s
    // instead of 170–190 MB with V8's defaults (the old-space cap is ~4× a full mempool's heap).
    command: [
      process.execPath,
      "--max-semi-space-size=4",
      "--max-old-space-size=192",
      RUN_JS,
      "node",
      "start",
      "--home",
      n.home,
    ],
    logFile: n.logFile,
    env: { FASTPOS_LOG_STDERR: "false", NODE_ENV: "production" },
  });
}

/** Last lines of a node's log, for error messages. */
export function logTail(n: DevnetNode, lines = 8): string {
  try {
    return readFileSync(n.logFile, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * `fastpos devnet up`: resolve the manifest, write homes and keys, start every validator as a detached
 * process, and wait until the first block is final (DESIGN.md §6). Nodes keep running after this returns.
 */
export async function devnetUp(
  home: string,
  manifest: Manifest,
  opts: { timeoutMs?: number; onProgress?: (msg: string) => void; now?: Date } = {},
): Promise<UpResult> {
  const started = performance.now();
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
  const ks = createKeystore(dir);
  const now = (opts.now ?? new Date()).toISOString();
  for (const a of plan.accounts) {
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
  writeFileSync(genesisFile, genesisToJson(plan.genesis));
  plan.nodes.forEach((p, i) => {
    const node = nodes[i] as DevnetNode;
    initNodeHome({
      home: node.home,
      genesisFile,
      validatorSecretKey: p.consensusSecretKey,
      config: {
        moniker: p.name,
        p2p: {
          listen: `127.0.0.1:${p.p2pPort}`,
          peers: nodes.filter((n) => n !== node).map((n) => n.p2pUrl),
        },
        api: { listen: `127.0.0.1:${p.apiPort}` },
        log: { stderr: false },
        devnet: { faults: true },
      },
    });
  });
  const devnet: DevnetFile = {
    version: 1,
    name: plan.name,
    chainId: plan.chainId,
    provider: "process",
    createdAt: now,
    nodes,
    accounts: plan.accounts.map((a) => ({ name: a.name, address: a.address })),
  };
  opts.onProgress?.(`starting ${count} validators`);
  // Record each pid as soon as it exists, so an interrupted `up` leaves nothing `devnet down` cannot find.
  writeDevnet(home, devnet);
  for (const n of nodes) {
    n.pid = spawnNode(n);
    writeDevnet(home, devnet);
  }
  opts.onProgress?.("waiting for the first final block");
  await waitForHeight(devnet, 1n, opts.timeoutMs ?? 30_000);
  return {
    devnet,
    genesisHash: toHex(hashGenesis(plan.genesis)),
    firstBlockMs: Math.round(performance.now() - started),
  };
}

/** Polls the nodes until one reports `height`; fails fast (with the log tail) if a node process died. */
export async function waitForHeight(d: DevnetFile, height: bigint, timeoutMs: number): Promise<bigint> {
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
    const dead = d.nodes.find((n) => n.pid !== null && !isAlive(n.pid) && best < 0n);
    if (dead && d.nodes.every((n) => n.pid === null || !isAlive(n.pid))) {
      throw new DevnetError(
        { code: "DEVNET_START_FAILED", node: dead.name, reason: "process exited" },
        `node ${dead.name} exited during start-up. Last log lines:\n${logTail(dead)}`,
      );
    }
    if (Date.now() > end) {
      throw new DevnetError(
        { code: "TIMEOUT", name: d.name, height: String(height), best: best < 0n ? null : String(best) },
        `devnet "${d.name}" did not reach height ${height} within ${timeoutMs} ms (best: ${best < 0n ? "unreachable" : best}); see \`fastpos devnet logs\``,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
