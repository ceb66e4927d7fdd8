import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createClient } from "../client/client.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, generateMnemonic, keypairFromMnemonic } from "../core/crypto/index.js";
import { createKeystore } from "../keystore/keystore.js";
import { initNodeHome } from "../node/home.js";
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

export async function addValidator(
  home: string,
  d: DevnetFile,
  o: { name?: string | undefined; stake: bigint; funder: string; onProgress?: (m: string) => void },
): Promise<AddValidatorResult> {
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
  if (d.nodes.some((n) => n.name === name)) {
    throw new DevnetError(
      { code: "DEVNET_EXISTS", name },
      `devnet "${d.name}" already has a node named ${name}`,
    );
  }
  const dir = devnetDir(home, d.name);
  const ks = createKeystore(dir);
  const provider = await providerFor(d);
  const api = createClient({
    url: ((await runningNodes(provider, d))[0] ?? d.nodes[0])?.apiUrl ?? "",
    timeoutMs: 10_000,
  });
  // Keys: a fresh mnemonic for the operator account and its consensus key, kept in the devnet keystore.
  const mnemonic = generateMnemonic(randomBytes(32));
  const account = keypairFromMnemonic(mnemonic, { index: 0 });
  const consensus = keypairFromMnemonic(mnemonic, { index: 0, purpose: "consensus" });
  await ks.save(
    {
      name,
      address: account.address,
      publicKey: toHex(account.publicKey),
      createdAt: new Date().toISOString(),
      encrypted: false,
      kind: "account",
    },
    { mnemonic, index: 0 },
  );
  o.onProgress?.(`funding ${name} from ${o.funder}`);
  const { loadKeypair } = await import("../keystore/keys-service.js");
  const funder = await loadKeypair(ks, o.funder);
  const fund = await api.transfer({
    secretKey: funder.secretKey,
    to: account.address,
    amount: o.stake + 1_000_000n,
    chainId: d.chainId,
  });
  await waitTx(api, fund.hash);
  o.onProgress?.(`starting ${name} and syncing`);
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
      devnet: { faults: true },
    },
  });
  d.nodes.push(node);
  await provider.start(d, node);
  writeDevnet(home, d);
  const target = BigInt((await api.status()).height);
  await waitForHeight({ ...d, nodes: [node] }, target, 60_000, provider);
  o.onProgress?.(`bonding ${o.stake}`);
  const bond = await api.send({
    secretKey: account.secretKey,
    payload: { type: "bond", value: { consensusKey: consensus.publicKey, name, amount: o.stake } },
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
  };
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
