import type { BlockJson } from "../core/chain/block.js";
import {
  createTransferTx,
  createTx,
  encodeTx,
  type Tx,
  type TxJson,
  type TxPayload,
} from "../core/chain/tx.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey } from "../core/crypto/index.js";
import { type SubscribeOptions, subscribeEvents } from "./events.js";
import { ClientError, type HttpOptions, request } from "./http.js";

/**
 * Typed client for a fastpos node's API (DESIGN.md §5): the SDK used by the CLI, the TUI and users' scripts.
 * `import { createClient } from "fastpos"`. Amounts are bigint in, decimal strings out (as the API sends them).
 */
export interface NodeStatus {
  chainId: string;
  genesisHash: string;
  nodeId: string;
  moniker: string;
  validator: string | null;
  height: string;
  latestBlockHash: string;
  latestBlockTime: string;
  stateRoot: string;
  consensus: { height: string; round: number; step: string };
  peers: number;
  syncing: boolean;
  mempool: { txs: number; bytes: number };
  uptimeSeconds: number;
}

export interface AccountInfo {
  address: string;
  balance: string;
  nonce: string;
  nextNonce: string;
  /** Height of the state the balance was read from. */
  height: string;
}

export type TxStatus =
  | { status: "committed"; height: string; index: number; tx: TxJson }
  | { status: "pending"; tx: TxJson };

export interface ValidatorInfoJson {
  address: string;
  consensusAddress: string;
  name: string;
  operator: string;
  publicKey: string;
  status: "active" | "inactive" | "jailed";
  stake: string;
  selfStake: string;
  delegatedStake: string;
  power: string;
  workWeight: string;
  pendingWorkWeight: string | null;
  commission: number;
  proposerPriority: string | null;
}

export interface ValidatorsInfo {
  height: string;
  epoch: string;
  epochLength: string;
  /** Stake, set and workWeight changes made now take effect from this height. */
  pendingChangesApplyAtHeight: string;
  totalPower: string;
  validators: ValidatorInfoJson[];
}

export interface UnbondingInfo {
  address: string;
  height: string;
  entries: { validator: string; amount: string; releaseEpoch: string; releaseAfterHeight: string }[];
}

export interface ClientOptions extends HttpOptions {
  url: string;
}

export function createClient(opts: ClientOptions | string) {
  const o: ClientOptions = typeof opts === "string" ? { url: opts } : opts;
  const get = <T>(path: string) => request<T>(o.url, "GET", path, undefined, o);
  const post = <T>(path: string, body: unknown) => request<T>(o.url, "POST", path, body, o);
  const client = {
    url: o.url,
    status: () => get<NodeStatus>("/v1/status"),
    account: (address: string) => get<AccountInfo>(`/v1/accounts/${encodeURIComponent(address)}`),
    block: (height: bigint | number | "latest" = "latest") => get<BlockJson>(`/v1/blocks/${height}`),
    tx: (hash: string) => get<TxStatus>(`/v1/txs/${hash}`),
    validators: () => get<ValidatorsInfo>("/v1/validators"),
    unbonding: (address: string) => get<UnbondingInfo>(`/v1/unbonding/${encodeURIComponent(address)}`),
    consensus: () => get<Record<string, unknown>>("/v1/consensus"),
    submitTx: (tx: Tx) => post<{ hash: string; status: string }>("/v1/txs", { tx: toHex(encodeTx(tx)) }),
    submitTxs: (txs: Tx[]) =>
      post<{ results: ({ hash: string } | { error: { code: string; message: string } })[] }>(
        "/v1/txs/batch",
        {
          txs: txs.map((t) => ({ tx: toHex(encodeTx(t)) })),
        },
      ),
    events: (s: SubscribeOptions) => subscribeEvents(o.url, s),

    /** Polls until `hash` is committed; throws ClientError TIMEOUT after `timeoutMs`. */
    async waitForTx(hash: string, opts2: { timeoutMs?: number; intervalMs?: number } = {}) {
      const end = Date.now() + (opts2.timeoutMs ?? 30_000);
      for (;;) {
        try {
          const t = await client.tx(hash);
          if (t.status === "committed") return t;
        } catch (err) {
          if (!(err instanceof ClientError) || err.code !== "NOT_FOUND") throw err;
        }
        if (Date.now() > end)
          throw new ClientError(
            { code: "TIMEOUT", url: o.url },
            `transaction ${hash} not final after ${opts2.timeoutMs ?? 30_000} ms`,
          );
        await new Promise((r) => setTimeout(r, opts2.intervalMs ?? 50));
      }
    },

    /** Signs any payload locally with the next nonce and submits it. */
    async send(t: { secretKey: Uint8Array; payload: TxPayload; fee?: bigint; chainId?: string }) {
      const from = addressFromPublicKey(getPublicKey(t.secretKey));
      const [status, account] = await Promise.all([
        t.chainId ? Promise.resolve({ chainId: t.chainId }) : client.status(),
        client.account(from),
      ]);
      const tx = createTx({
        chainId: status.chainId,
        secretKey: t.secretKey,
        nonce: BigInt(account.nextNonce),
        fee: t.fee ?? 0n,
        payload: t.payload,
      });
      return { ...(await client.submitTx(tx)), from, nonce: tx.body.nonce };
    },

    /** Builds, signs locally (the key never leaves this process) and submits a transfer. */
    async transfer(t: {
      secretKey: Uint8Array;
      to: string;
      amount: bigint;
      fee?: bigint;
      nonce?: bigint;
      chainId?: string;
    }) {
      const from = addressFromPublicKey(getPublicKey(t.secretKey));
      const [status, account] = await Promise.all([
        t.chainId ? Promise.resolve({ chainId: t.chainId }) : client.status(),
        t.nonce === undefined ? client.account(from) : Promise.resolve({ nextNonce: String(t.nonce) }),
      ]);
      const tx = createTransferTx({
        chainId: status.chainId,
        secretKey: t.secretKey,
        to: t.to,
        amount: t.amount,
        fee: t.fee ?? 0n,
        nonce: BigInt(account.nextNonce),
      });
      return { ...(await client.submitTx(tx)), from, nonce: tx.body.nonce };
    },
  };
  return client;
}

export type Client = ReturnType<typeof createClient>;
export { ClientError };
