import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClientError, createClient } from "../../client/client.js";
import { validateGenesis } from "../../core/chain/genesis.js";
import { createKeystore } from "../../keystore/keystore.js";
import { type DevnetNode, devnetDir } from "../state.js";
import type { ChainView, SupplySnapshot } from "./invariants.js";

/**
 * Reads what the invariants need from the nodes' APIs: every block of each node's chain, and each node's
 * supply at one height. Only the API: a running node's database belongs to the node (DESIGN.md §5).
 */
const client = (n: DevnetNode) => createClient({ url: n.apiUrl, timeoutMs: 10_000 });

/** Retries a call the node's per-IP limiter refused (429). */
async function call<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof ClientError) || err.data.status !== 429 || i >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 * (i + 1)));
    }
  }
}

/** Blocks `from`..height of one node (8 requests in flight). */
export async function chainView(n: DevnetNode, from = 1n): Promise<ChainView> {
  const c = client(n);
  const height = BigInt((await c.status()).height);
  const blocks: ChainView["blocks"] = [];
  let next = from < 1n ? 1n : from;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next <= height) {
        const h = next++;
        const b = await call(() => c.block(h));
        blocks.push({ height: h.toString(), hash: b.hash, txs: b.txs.map((t) => t.hash) });
      }
    }),
  );
  blocks.sort((a, b) => Number(a.height) - Number(b.height));
  return { node: n.name, height: height.toString(), blocks };
}

/** The genesis supply (balances + stakes) and the genesis account addresses of a devnet. */
export function genesisSupply(home: string, devnet: string): { supply: bigint; addresses: string[] } {
  const g = validateGenesis(JSON.parse(readFileSync(join(devnetDir(home, devnet), "genesis.json"), "utf8")));
  const supply =
    g.accounts.reduce((t, a) => t + a.balance, 0n) + g.validators.reduce((t, v) => t + v.stake, 0n);
  return { supply, addresses: g.accounts.map((a) => a.address) };
}

/** Every account the devnet's keystore holds (named accounts, validator operators, added validators). */
export async function keystoreAddresses(home: string, devnet: string): Promise<string[]> {
  return (await createKeystore(devnetDir(home, devnet)).list()).map((k) => k.address);
}

/**
 * One node's supply: balances of `addresses` + every validator's stake + the unbonding entries of
 * `addresses`, all read at one height (re-read until the answers agree; the runner calls this once the
 * load is over, when blocks are empty). Every account that can hold funds in a scenario is one the devnet
 * or the load created, or a validator operator (fees), so `addresses` covers the supply.
 */
export async function supplySnapshot(n: DevnetNode, addresses: string[]): Promise<SupplySnapshot> {
  const c = client(n);
  for (let attempt = 0; ; attempt++) {
    const vals = await call(() => c.validators());
    const all = [...new Set([...addresses, ...vals.validators.map((v) => v.operator)])];
    const [accounts, unbonding, supply] = await Promise.all([
      Promise.all(all.map((a) => call(() => c.account(a)))),
      Promise.all(all.map((a) => call(() => c.unbonding(a)))),
      call(() => c.supply()),
    ]);
    const heights = new Set([
      vals.height,
      supply.height,
      ...accounts.map((a) => a.height),
      ...unbonding.map((u) => u.height),
    ]);
    if (heights.size === 1 || attempt >= 40) {
      if (heights.size > 1)
        throw new Error(`${n.name}: no consistent height for the supply (${[...heights].join(", ")})`);
      return {
        node: n.name,
        height: vals.height,
        balances: accounts.reduce((t, a) => t + BigInt(a.balance), 0n),
        staked: vals.validators.reduce((t, v) => t + BigInt(v.stake), 0n),
        unbonding: unbonding.reduce((t, u) => t + u.entries.reduce((s, e) => s + BigInt(e.amount), 0n), 0n),
        total: BigInt(supply.total),
        burned: BigInt(supply.burned),
        minted: BigInt(supply.minted),
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
