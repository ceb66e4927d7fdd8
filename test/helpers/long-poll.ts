import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDefaultGenesis, deriveDevValidators, genesisToJson } from "../../src/core/chain/genesis.js";
import { createTransferTx } from "../../src/core/chain/tx.js";
import { encodeAddress } from "../../src/core/crypto/index.js";
import { createNode, type RunningNode } from "../../src/node/create-node.js";
import { initNodeHome } from "../../src/node/home.js";

/**
 * A real node in this process for the long-poll tests (issue 22 item 3): validator 0 of a `validators`-strong
 * dev genesis, in idle mode (after its first blocks a height starts only when a tx arrives), real LevelDB in
 * `dir`, HTTP on 127.0.0.1. With `validators: 2` the other validator never runs: nothing commits.
 */
export async function startIdleNode(
  dir: string,
  validators: number,
  api: Record<string, number | string> = {},
): Promise<RunningNode> {
  const genesisFile = join(dir, "genesis.json");
  writeFileSync(genesisFile, genesisToJson(createDefaultGenesis({ validators })));
  const home = join(dir, "node0");
  initNodeHome({
    home,
    genesisFile,
    validatorSecretKey: deriveDevValidators(validators).secrets[0]?.consensusKey,
    config: {
      moniker: "long-poll",
      p2p: { listen: "127.0.0.1:0" },
      api: { listen: "127.0.0.1:0", ...api },
      log: { stderr: false, level: "warn" },
      consensus: { emptyBlocksIntervalMs: 600_000 },
    },
  });
  return createNode(home);
}

/** A 1-token transfer from the funded dev account 0 with `nonce`. */
export function devTransfer(chainId: string, nonce: bigint) {
  const [alice] = deriveDevValidators(1).secrets;
  const to = encodeAddress(new Uint8Array(20).fill(7));
  return createTransferTx({ chainId, secretKey: alice?.accountKey as Uint8Array, to, amount: 1n, nonce });
}

/** The node's `fastpos_api_tx_waiters` gauge: requests parked by `?wait=final`. */
export async function parkedWaiters(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^fastpos_api_tx_waiters (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Polls `f` every 20 ms until it holds, for at most `ms`. */
export async function until(f: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
