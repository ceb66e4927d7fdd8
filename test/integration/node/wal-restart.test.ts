import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBlock, encodeBlock, type State, validateGenesis } from "../../../src/core/chain/index.js";
import { CommitCodec, ProposalCodec, type SignedProposal } from "../../../src/core/chain/vote.js";
import { decode, encode, toHex } from "../../../src/core/codec/index.js";
import { addressBytes, sign, signBytes } from "../../../src/core/crypto/index.js";
import { loadChainState } from "../../../src/node/chain-state.js";
import { loadConfig } from "../../../src/node/config.js";
import { createNode, type RunningNode } from "../../../src/node/create-node.js";
import { readKeyFile } from "../../../src/node/home.js";
import { openStore } from "../../../src/node/store.js";
import { openWal } from "../../../src/node/wal.js";
import { encodeWalRecord } from "../../../src/node/wal-records.js";
import { runCli, tempDir } from "../../helpers/cli.js";
import { killAllDevnets } from "../../helpers/devnet.js";

/**
 * Issue 24 item 6: a restarted round-0 proposer used to start the round (build and sign a fresh block)
 * before replaying its WAL; with its signer state lost it signed a second block at the same height and
 * round. The WAL's own messages now count as signed: the node re-proposes exactly the block in its WAL.
 */
describe("restart with the signer state lost: the WAL decides what was signed", () => {
  let home: string;
  let cleanup: () => void;
  let node: RunningNode | undefined;

  beforeAll(() => {
    ({ dir: home, cleanup } = tempDir());
  });
  afterAll(async () => {
    await node?.stop();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("proposes the block its WAL holds, not a new one", async () => {
    const up = await runCli(["devnet", "up", "-n", "1", "--name", "wal", "--json"], {
      home,
      timeout: 90_000,
    });
    expect(up.code, up.stderr).toBe(0);
    const nodeHome: string = up.json().nodes[0].home;
    expect((await runCli(["devnet", "stop", "node0"], { home })).code).toBe(0);

    // Given: the node had built and signed block B for its next height (in its WAL)…
    const config = loadConfig(nodeHome, {});
    const genesis = validateGenesis(JSON.parse(readFileSync(join(nodeHome, config.genesis), "utf8")));
    const key = readKeyFile(join(nodeHome, config.validatorKey as string));
    const store = await openStore(join(nodeHome, "data", "db"));
    const state: State = await loadChainState(store, genesis);
    const stored = await store.commitAt(state.height);
    await store.close();
    const height = state.height + 1n;
    const built = buildBlock(state, {
      txs: [],
      time: state.lastBlockTime + 1n,
      proposer: addressBytes(key.publicKey),
      lastCommit: stored ? decode(CommitCodec, stored) : null,
    });
    const p = {
      height,
      round: 0,
      polRound: null,
      blockHash: built.hash,
      proposer: addressBytes(key.publicKey),
    };
    const signed: SignedProposal = {
      proposal: p,
      signature: sign(key.secretKey, signBytes("proposal", state.chainId, encode(ProposalCodec, p))),
    };
    const wal = openWal(join(nodeHome, "data", "consensus.wal"));
    wal.reset();
    const block = encodeBlock(built.block);
    wal.append(encodeWalRecord({ type: "height", value: { height } }));
    wal.append(encodeWalRecord({ type: "valueReady", value: { height, round: 0, block } }));
    wal.append(encodeWalRecord({ type: "proposal", value: { proposal: signed, block, valid: true } }), {
      sync: true,
    });
    wal.close();
    // …and lost its signer state (a restored backup, a wiped data dir).
    rmSync(join(nodeHome, "data", "signer-state.json"), { force: true });

    // When it starts again,
    node = await createNode(nodeHome, { env: {}, flags: { log: { stderr: false } } });
    // Then the block it commits at that height is B (a fresh block would have a later time and another hash).
    let got: { hash: string } | undefined;
    const deadline = Date.now() + 60_000;
    while (!got && Date.now() < deadline) {
      const r = await fetch(`${node.apiUrl}/v1/blocks/${height}`);
      if (r.ok) got = (await r.json()) as { hash: string };
      else await new Promise((d) => setTimeout(d, 100));
    }
    expect(got?.hash).toBe(toHex(built.hash));
    const log = readFileSync(join(nodeHome, "logs", "node.log"), "utf8");
    expect(log).not.toMatch(/signer refused/);
  }, 120_000);
});
