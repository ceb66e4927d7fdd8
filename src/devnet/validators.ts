import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createClient } from "../client/client.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, generateMnemonic, keypairFromMnemonic } from "../core/crypto/index.js";
import { createKeystore } from "../keystore/keystore.js";
import { initNodeHome, readKeyFile } from "../node/home.js";
import { freePorts } from "./ports.js";
import { providerFor } from "./providers/index.js";
import type { NodeProvider } from "./providers/types.js";
import { DevnetError, type DevnetFile, type DevnetNode, devnetDir, findNode, writeDevnet } from "./state.js";
import { waitForHeight } from "./up.js";

/**
 * Growing and shrinking a running devnet through real staking txs (DESIGN.md §3 epochs):
 * `add-validator` starts and syncs a node FIRST and only then bonds it — bonding power that no running node
 * signs for could take the others below 2/3 and halt the chain at the next epoch.
 */
export interface AddValidatorResult {
  node: string;
  operator: string;
  validator: string;
  stake: string;
  bondHeight: string;
  activeFromHeight: string;
  activeEpoch: string;
  apiUrl: string;
  pid: number | null;
}

/** The nodes a provider reports running. */
async function runningNodes(p: NodeProvider, d: DevnetFile): Promise<DevnetNode[]> {
  const infos = await Promise.all(d.nodes.map((n) => p.inspect(d, n)));
  return d.nodes.filter((_, i) => infos[i]?.state === "running");
}

async function waitTx(client: ReturnType<typeof createClient>, hash: string) {
  return client.waitForTx(hash, { timeoutMs: 60_000 });
}

/** How long the new node may take to catch up with the chain unless `--timeout` says otherwise. */
export const ADD_VALIDATOR_SYNC_TIMEOUT_MS = 600_000;

/**
 * Adds a validator, or resumes an earlier attempt of the same name that stopped before its bond (issue 19
 * item 5): the node, its keys and its funding are kept, so a retry only does what is left — start, sync,
 * fund the shortfall, bond. A name that is already bonded is refused.
 */
export async function addValidator(
  home: string,
  d: DevnetFile,
  o: {
    name?: string | undefined;
    stake: bigint;
    funder: string;
    syncTimeoutMs?: number;
    /** The new node joins by state sync (a verified snapshot from the others) instead of every block. */
    stateSync?: boolean;
    onProgress?: (m: string) => void;
  },
): Promise<AddValidatorResult & { resumed: boolean }> {
  const name = o.name ?? `node${d.nodes.length}`;
  if (d.provider === "compose")
    throw new DevnetError(
      {
        code: "DEVNET_BAD_OPTION",
        option: "provider",
        hint: "add the validator to the original devnet, then export it again",
      },
      `devnet "${d.name}" runs from a docker-compose file, which has a fixed set of validators`,
    );
  const dir = devnetDir(home, d.name);
  const ks = createKeystore(dir);
  const provider = await providerFor(d);
  const others = (await runningNodes(provider, d)).filter((n) => n.name !== name);
  const api = createClient({ url: (others[0] ?? d.nodes[0])?.apiUrl ?? "", timeoutMs: 10_000 });
  const { loadKeypair } = await import("../keystore/keys-service.js");
  const existing = d.nodes.find((n) => n.name === name);
  let node: DevnetNode;
  let account: { address: string; secretKey: Uint8Array };
  let consensusKey: Uint8Array;
  if (existing) {
    const v = (await api.validators()).validators.find((x) => x.consensusAddress === existing.validator);
    if (v && v.selfStake !== "0")
      throw new DevnetError(
        { code: "DEVNET_EXISTS", name },
        `devnet "${d.name}" already has a validator named ${name} (bonded ${v.selfStake})`,
      );
    o.onProgress?.(`resuming ${name} (not bonded yet)`);
    node = existing;
    account = await loadKeypair(ks, name);
    consensusKey = readKeyFile(join(node.home, "validator-key.json")).publicKey;
  } else {
    // Keys: a fresh mnemonic for the operator account and its consensus key, kept in the devnet keystore.
    const mnemonic = generateMnemonic(randomBytes(32));
    const acc = keypairFromMnemonic(mnemonic, { index: 0 });
    const consensus = keypairFromMnemonic(mnemonic, { index: 0, purpose: "consensus" });
    await ks.save(
      {
        name,
        address: acc.address,
        publicKey: toHex(acc.publicKey),
        createdAt: new Date().toISOString(),
        encrypted: false,
        kind: "account",
      },
      { mnemonic, index: 0 },
    );
    account = acc;
    consensusKey = consensus.publicKey;
    node = await createValidatorHome(dir, d, provider, name, consensus, o.stateSync === true);
    d.nodes.push(node);
    writeDevnet(home, d);
  }
  // Funding: only the shortfall (a resumed attempt may have been funded already).
  const want = o.stake + 1_000_000n;
  const have = BigInt((await api.account(account.address)).balance);
  if (have < want) {
    o.onProgress?.(`funding ${name} from ${o.funder}`);
    const funder = await loadKeypair(ks, o.funder);
    const fund = await api.transfer({
      secretKey: funder.secretKey,
      to: account.address,
      amount: want - have,
      chainId: d.chainId,
    });
    await waitTx(api, fund.hash);
  }
  // A new node has nothing to inspect yet (a swarm has no service for it); a resumed one may be stopped.
  const running =
    existing !== undefined &&
    (await provider.inspect(d, node).then(
      (i) => i?.state === "running",
      () => false,
    ));
  if (!running) {
    o.onProgress?.(`starting ${name}${o.stateSync ? " (state sync)" : ""}`);
    await provider.start(d, node);
    writeDevnet(home, d);
  }
  const target = BigInt((await api.status()).height);
  o.onProgress?.(`${name} syncing to height ${target}`);
  await waitForHeight(
    { ...d, nodes: [node] },
    target,
    o.syncTimeoutMs ?? ADD_VALIDATOR_SYNC_TIMEOUT_MS,
    provider,
  );
  o.onProgress?.(`bonding ${o.stake}`);
  const bond = await api.send({
    secretKey: account.secretKey,
    payload: { type: "bond", value: { consensusKey, name, amount: o.stake } },
    chainId: d.chainId,
  });
  const done = await waitTx(api, bond.hash);
  const h = BigInt(done.height);
  const L = BigInt((await api.validators()).epochLength);
  const boundary = h % L === 0n ? h : (h / L + 1n) * L;
  return {
    node: name,
    operator: account.address,
    validator: node.validator,
    stake: o.stake.toString(),
    bondHeight: h.toString(),
    activeFromHeight: (boundary + 1n).toString(),
    activeEpoch: (boundary / L).toString(),
    apiUrl: node.apiUrl,
    pid: node.pid,
    resumed: existing !== undefined,
  };
}

/** A new node's home (ports, config, consensus key) next to the others, wired to their p2p endpoints. */
async function createValidatorHome(
  dir: string,
  d: DevnetFile,
  provider: NodeProvider,
  name: string,
  consensus: { publicKey: Uint8Array; secretKey: Uint8Array },
  stateSync: boolean,
): Promise<DevnetNode> {
  const [p2pPort, apiPort] = (await freePorts(2)) as [number, number];
  const node: DevnetNode = {
    name,
    home: join(dir, name),
    apiUrl: `http://127.0.0.1:${apiPort}`,
    p2pUrl: `ws://127.0.0.1:${p2pPort}`,
    pid: null,
    validator: addressFromPublicKey(consensus.publicKey),
    logFile: join(dir, name, "logs", "stdout.log"),
    ...(d.provider !== "process" ? { container: null } : {}),
  };
  const net = provider.network(d, node, d.nodes);
  initNodeHome({
    home: node.home,
    genesisFile: join(dir, "genesis.json"),
    validatorSecretKey: consensus.secretKey,
    config: {
      moniker: name,
      p2p: { listen: net.p2pListen, peers: net.peers },
      api: { listen: net.apiListen },
      log: { stderr: false },
      consensus: { emptyBlocksIntervalMs: d.blockTimeMs ?? 0 },
      devnet: { faults: true },
      ...(stateSync ? { stateSync: { enabled: true } } : {}),
    },
  });
  return node;
}

export interface RemoveValidatorResult {
  node: string;
  unbonded: string;
  unbondHeight: string;
  leftSetAtHeight: string;
  fundsReleasedAfterHeight: string | null;
}

/** Unbonds all of a node's self-stake, waits until it is out of the set, then stops it. */
export async function removeValidator(
  home: string,
  d: DevnetFile,
  nodeName: string,
  o: { onProgress?: (m: string) => void } = {},
): Promise<RemoveValidatorResult> {
  const node = findNode(d, nodeName);
  const provider = await providerFor(d);
  const others = (await runningNodes(provider, d)).filter((n) => n !== node);
  const api = createClient({ url: (others[0] ?? node).apiUrl, timeoutMs: 10_000 });
  const info = (await api.validators()).validators.find((v) => v.consensusAddress === node.validator);
  if (!info || info.selfStake === "0") {
    throw new DevnetError(
      { code: "DEVNET_UNKNOWN_NODE", node: nodeName, nodes: [] },
      `${nodeName} has no self-stake to unbond`,
    );
  }
  const { loadKeypair } = await import("../keystore/keys-service.js");
  const key = await loadKeypair(createKeystore(devnetDir(home, d.name)), node.name);
  o.onProgress?.(`unbonding ${info.selfStake}`);
  const sent = await api.send({
    secretKey: key.secretKey,
    payload: {
      type: "unbond",
      value: { validator: Buffer.from(info.address.slice(2), "hex"), amount: BigInt(info.selfStake) },
    },
    chainId: d.chainId,
  });
  const done = await api.waitForTx(sent.hash, { timeoutMs: 60_000 });
  const h = BigInt(done.height);
  const L = BigInt((await api.validators()).epochLength);
  const boundary = h % L === 0n ? h : (h / L + 1n) * L;
  o.onProgress?.(`waiting for the epoch boundary at height ${boundary}`);
  await waitForHeight({ ...d, nodes: others.length ? others : [node] }, boundary + 1n, 120_000, provider);
  const unbonding = await api.unbonding(key.address);
  // Stop it and remove what the provider made for it (its container), keeping its home on disk.
  await provider.stop(d, node);
  await provider.remove(d, node);
  node.pid = null;
  d.nodes = d.nodes.filter((n) => n !== node);
  writeDevnet(home, d);
  return {
    node: node.name,
    unbonded: info.selfStake,
    unbondHeight: h.toString(),
    leftSetAtHeight: (boundary + 1n).toString(),
    fundsReleasedAfterHeight: unbonding.entries.at(-1)?.releaseAfterHeight ?? null,
  };
}
