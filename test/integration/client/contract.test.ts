import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, createClient } from "../../../src/client/client.js";
import type {
  ConsensusView,
  EventJsonOf,
  NodeEventJson,
  NodeEventType,
  NodeStatus,
  SlashingInfoJson,
  SupplyInfo,
} from "../../../src/core/api/contract.js";
import { createDefaultGenesis, deriveDevValidators, genesisToJson } from "../../../src/core/chain/genesis.js";
import { createTransferTx } from "../../../src/core/chain/tx.js";
import { encodeAddress } from "../../../src/core/crypto/index.js";
import { createNode, type RunningNode } from "../../../src/node/create-node.js";
import { initNodeHome } from "../../../src/node/home.js";
import { tempDir } from "../../helpers/cli.js";

/**
 * The API contract (src/core/api/contract.ts) against a real node: one validator in this process, real
 * LevelDB in a temp dir, HTTP and WebSocket on 127.0.0.1. The key lists below are typed so that they must
 * name every field of the contract type and nothing else; the node's JSON must then have exactly those keys
 * with the contract's encodings (decimal strings, 0x-hex). A field added on one side only fails here.
 */
type AllKeys<T> = { [K in keyof Required<T>]: true };
const keysOf = (o: object) => Object.keys(o).sort();

const STATUS_KEYS: AllKeys<NodeStatus> = {
  chainId: true,
  genesisHash: true,
  nodeId: true,
  moniker: true,
  validator: true,
  height: true,
  latestBlockHash: true,
  latestBlockTime: true,
  stateRoot: true,
  consensus: true,
  peers: true,
  syncing: true,
  mempool: true,
  uptimeSeconds: true,
  halted: true,
};
const SUPPLY_KEYS: AllKeys<SupplyInfo> = {
  height: true,
  total: true,
  burned: true,
  minted: true,
  rewardPool: true,
};
const CONSENSUS_KEYS: AllKeys<ConsensusView> = {
  height: true,
  round: true,
  step: true,
  proposer: true,
  lockedRound: true,
  lockedValue: true,
  validRound: true,
  totalPower: true,
  validators: true,
  rounds: true,
};
const EVENT_KEYS: { [T in NodeEventType]: AllKeys<EventJsonOf<T>> } = {
  hello: { type: true, height: true, chainId: true },
  newBlock: {
    type: true,
    height: true,
    hash: true,
    time: true,
    txs: true,
    txHashes: true,
    proposer: true,
    round: true,
    signers: true,
    latencyMs: true,
  },
  roundStep: { type: true, height: true, round: true, step: true },
  vote: { type: true, height: true, round: true, voteType: true, validator: true, blockHash: true },
  tx: { type: true, hash: true },
  evidence: {
    type: true,
    height: true,
    round: true,
    kind: true,
    validator: true,
    status: true,
    committedAt: true,
  },
  slash: { type: true, height: true, validator: true, reason: true, infractionHeight: true, amount: true },
  jail: { type: true, height: true, validator: true, reason: true, jailedUntil: true, tombstoned: true },
  unjail: { type: true, height: true, validator: true },
};

const DEC = /^\d+$/;
const HASH = /^0x[0-9a-f]{64}$/;
const ADDR = /^0x[0-9a-f]{40}$/;
const STEPS = ["propose", "prevote", "precommit", "commit"];

async function until<T>(f: () => T | undefined, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("API contract on a real node (one validator, in-process)", () => {
  let node: RunningNode;
  let client: Client;
  let cleanup: () => void;
  const events: NodeEventJson[] = [];
  let sub: { close(): void } | undefined;
  const first = <T extends NodeEventType>(type: T) =>
    events.find((e): e is EventJsonOf<T> => e.type === type);

  beforeAll(async () => {
    let dir: string;
    ({ dir, cleanup } = tempDir("fastpos-contract-"));
    const genesisFile = join(dir, "genesis.json");
    writeFileSync(genesisFile, genesisToJson(createDefaultGenesis({ validators: 1 })));
    const home = join(dir, "node0");
    initNodeHome({
      home,
      genesisFile,
      validatorSecretKey: deriveDevValidators(1).secrets[0]?.consensusKey,
      config: {
        moniker: "contract",
        p2p: { listen: "127.0.0.1:0" },
        api: { listen: "127.0.0.1:0" },
        log: { stderr: false, level: "warn" },
      },
    });
    node = await createNode(home);
    client = createClient(node.apiUrl);
    sub = client.events({ onEvent: (e) => events.push(e) });
  }, 60_000);

  afterAll(async () => {
    sub?.close();
    await node?.stop();
    cleanup?.();
  }, 60_000);

  it("GET /v1/status has exactly the contract's fields, heights as decimal strings", async () => {
    await until(() => first("newBlock"), "a first block");
    const s = await client.status();
    expect(keysOf(s)).toEqual(keysOf(STATUS_KEYS));
    expect(s.height).toMatch(DEC);
    expect(s.latestBlockTime).toMatch(DEC);
    expect(s.consensus.height).toMatch(DEC);
    expect(s.genesisHash).toMatch(HASH);
    expect(s.validator).toMatch(ADDR);
    expect(STEPS).toContain(s.consensus.step);
    expect(typeof s.consensus.round).toBe("number");
    expect(keysOf(s.mempool)).toEqual(["bytes", "txs"]);
  });

  it("GET /v1/supply: the genesis supply, nothing burned, at the node's height", async () => {
    await until(() => first("newBlock"), "a first block");
    const s = await client.supply();
    expect(keysOf(s)).toEqual(keysOf(SUPPLY_KEYS));
    expect(s.height).toMatch(DEC);
    const g = createDefaultGenesis({ validators: 1 });
    const genesis =
      g.accounts.reduce((t, a) => t + a.balance, 0n) + g.validators.reduce((t, v) => t + v.stake, 0n);
    expect(BigInt(s.total) + BigInt(s.burned)).toBe(genesis);
    expect(s.burned).toBe("0");
  });

  it("GET /v1/consensus has exactly the contract's fields and vote values", async () => {
    const v = await client.consensus();
    expect(keysOf(v)).toEqual(keysOf(CONSENSUS_KEYS));
    expect(v.height).toMatch(DEC);
    expect(v.totalPower).toMatch(DEC);
    expect(v.proposer).toMatch(ADDR);
    expect(v.validators).toHaveLength(1);
    const val = v.validators[0];
    expect(keysOf(val ?? {})).toEqual(["address", "power", "rounds", "workWeight"]);
    for (const r of val?.rounds ?? [])
      for (const vote of [r.prevote, r.precommit])
        if (vote !== null && vote !== "nil") expect(vote).toMatch(HASH);
  });

  it("slashing routes: /v1/validators rows, /v1/slashing/:validator and /v1/evidence have the contract's fields", async () => {
    const row = (await client.validators()).validators[0];
    expect(row).toMatchObject({ jailed: false, tombstoned: false, missedBlocks: 0, slashed: "0" });
    const s = await client.slashing(row?.address as string);
    const SLASHING_KEYS: AllKeys<SlashingInfoJson> = {
      address: true,
      consensusAddress: true,
      height: true,
      status: true,
      jailed: true,
      jailedUntil: true,
      tombstoned: true,
      jailReason: true,
      missedBlocks: true,
      signedBlocksWindow: true,
      maxMissedBlocks: true,
      slashed: true,
    };
    expect(keysOf(s)).toEqual(keysOf(SLASHING_KEYS));
    expect(s).toMatchObject({
      address: row?.address,
      consensusAddress: row?.consensusAddress,
      jailedUntil: null,
    });
    expect((await client.slashing(row?.consensusAddress as string)).address).toBe(row?.address);
    const e = await client.evidence();
    expect(keysOf(e)).toEqual(["burned", "committed", "evidenceMaxAgeBlocks", "height", "pending"]);
    expect(e).toMatchObject({ burned: "0", committed: [], pending: [] });
    // Bad input is a 400 with a code, an unknown validator a 404.
    const bad = await fetch(`${node.apiUrl}/v1/slashing/not-an-address`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("BAD_ADDRESS");
    const unknown = await fetch(`${node.apiUrl}/v1/slashing/0x${"ab".repeat(20)}`);
    expect(unknown.status).toBe(404);
  });

  it("the event stream sends hello, roundStep, vote, newBlock and tx events in the contract's shape", async () => {
    const [alice] = deriveDevValidators(1).secrets;
    const tx = createTransferTx({
      chainId: (await client.status()).chainId,
      secretKey: alice?.accountKey as Uint8Array,
      to: encodeAddress(new Uint8Array(20).fill(7)),
      amount: 1n,
      nonce: 0n,
    });
    const { hash } = await client.submitTx(tx);
    await client.waitForTx(hash);
    const withTx = await until(
      () => events.find((e) => e.type === "newBlock" && e.txHashes.includes(hash)),
      "the block with the tx",
    );
    const types: NodeEventType[] = ["hello", "roundStep", "vote", "newBlock", "tx"];
    for (const t of types) await until(() => first(t), `a ${t} event`);
    for (const e of events) expect(keysOf(e), e.type).toEqual(keysOf(EVENT_KEYS[e.type]));

    expect(first("hello")).toMatchObject({ chainId: "fastpos-devnet", height: expect.stringMatching(DEC) });
    expect(first("tx")?.hash).toBe(hash);
    const step = first("roundStep");
    expect(step?.height).toMatch(DEC);
    expect(STEPS).toContain(step?.step);
    const vote = first("vote");
    expect(vote?.height).toMatch(DEC);
    expect(["prevote", "precommit"]).toContain(vote?.voteType);
    expect(vote?.validator).toMatch(ADDR);
    expect(vote?.blockHash === null || HASH.test(vote?.blockHash ?? "")).toBe(true);
    expect(withTx).toMatchObject({
      height: expect.stringMatching(DEC),
      time: expect.stringMatching(DEC),
      hash: expect.stringMatching(HASH),
      proposer: expect.stringMatching(ADDR),
      txs: 1,
    });
    if (withTx.type !== "newBlock") throw new Error("unreachable");
    for (const s of withTx.signers) expect(s).toMatch(ADDR);
  });
});
