/**
 * Typed client for a fastpos node's API (DESIGN.md §5): the SDK used by the CLI, the TUI and users' scripts.
 * `import { createClient } from "fastpos"`. Amounts are bigint in, decimal strings out (as the API sends
 * them). Every call names a route of the API contract (`core/api/contract.ts`), so its path, method and
 * result type are the ones the node's handler is checked against.
 */
import type {
  ApiRoute,
  MethodOf,
  ParamsOf,
  PathOf,
  RequestOf,
  ResponseOf,
  SubmitTxBatchResponse,
  SubmitTxResponse,
  TxStatus,
} from "../core/api/contract.js";
import { createTransferTx, createTx, encodeTx, type Tx, type TxPayload } from "../core/chain/tx.js";
import { toHex } from "../core/codec/index.js";
import { addressFromPublicKey, getPublicKey } from "../core/crypto/index.js";
import { type SubscribeOptions, subscribeEvents } from "./events.js";
import { ClientError, type HttpOptions, request } from "./http.js";
import { productMethods } from "./product.js";

export type {
  AccountInfo,
  ConsensusView,
  EscrowInfo,
  NodeStatus,
  OracleInfo,
  RewardsInfo,
  SupplyInfo,
  TxStatus,
  UnbondingInfo,
  ValidatorInfoJson,
  ValidatorsInfo,
  WorkReportInfo,
} from "../core/api/contract.js";

/**
 * Longest wait one `waitForTx` request asks of the node (it allows up to 30 s); a longer wait is several
 * requests, so no proxy or idle timer between client and node sees a request that long.
 */
const LONG_POLL_MS = 10_000;
/**
 * Answers to a long-poll that mean "not final yet, ask again": unknown tx (it may still arrive by gossip),
 * every waiter slot taken, or the node stopping (the next request says whether it is back).
 */
const RETRY_WAIT_CODES: ReadonlySet<string> = new Set(["NOT_FOUND", "TOO_MANY_WAITERS", "NODE_STOPPING"]);

export interface ClientOptions extends HttpOptions {
  url: string;
}

/** A route's path with its `:params` filled in (URI-encoded). */
export function routePath<R extends ApiRoute>(route: R, params: ParamsOf<R>): string {
  const path: PathOf<R> = route.slice(route.indexOf(" ") + 1) as PathOf<R>;
  const values: { [name: string]: string | undefined } = params;
  return path.replace(/:([a-zA-Z]+)/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));
}

export function createClient(opts: ClientOptions | string) {
  const o: ClientOptions = typeof opts === "string" ? { url: opts } : opts;
  /** One request to a contract route; the answer is that route's response type. */
  const call = <R extends ApiRoute>(route: R, params: ParamsOf<R>, body?: RequestOf<R>) =>
    request<ResponseOf<R>>(
      o.url,
      route.slice(0, route.indexOf(" ")) as MethodOf<R>,
      routePath(route, params),
      body,
      o,
    );
  const client = {
    url: o.url,
    status: () => call("GET /v1/status", {}),
    account: (address: string) => call("GET /v1/accounts/:address", { address }),
    block: (height: bigint | number | "latest" = "latest") =>
      height === "latest"
        ? call("GET /v1/blocks/latest", {})
        : call("GET /v1/blocks/:height", { height: String(height) }),
    tx: (hash: string) => call("GET /v1/txs/:hash", { hash }),
    validators: () => call("GET /v1/validators", {}),
    /** Total supply and burned tokens at the node's height (`total + burned` is conserved). */
    supply: () => call("GET /v1/supply", {}),
    unbonding: (address: string) => call("GET /v1/unbonding/:address", { address }),
    /** A validator's jail, tombstone, missed blocks and slashed total (consensus address, fp1… or 0x). */
    slashing: (validator: string) => call("GET /v1/slashing/:validator", { validator }),
    /** Committed evidence still remembered, the node's pending pool, and the burned total. */
    evidence: () => call("GET /v1/evidence", {}),
    /** Rewards `address` could withdraw now (product layer). */
    rewards: (address: string) => call("GET /v1/rewards/:address", { address }),
    /** A validator's work report of `epoch`, with its attestation, challenge and vesting reward. */
    workReport: (epoch: bigint | number, validator: string) =>
      call("GET /v1/work/:epoch/:validator", { epoch: String(epoch), validator }),
    oracle: () => call("GET /v1/oracle", {}),
    escrow: (id: string) => call("GET /v1/billing/:escrow", { escrow: id }),
    /** Round state and vote sets of the node's consensus engine (what `fastpos watch` shows). */
    consensus: () => call("GET /v1/consensus", {}),
    submitTx: (tx: Tx): Promise<SubmitTxResponse> => call("POST /v1/txs", {}, { tx: toHex(encodeTx(tx)) }),
    submitTxs: (txs: Tx[]): Promise<SubmitTxBatchResponse> =>
      call("POST /v1/txs/batch", {}, { txs: txs.map((t) => ({ tx: toHex(encodeTx(t)) })) }),
    events: (s: SubscribeOptions) => subscribeEvents(o.url, s),

    /**
     * Resolves once `hash` is final, with its committed status; throws ClientError TIMEOUT after
     * `timeoutMs` (default 30 s). Finality is pushed: each request is a long-poll
     * (`GET /v1/txs/:hash?wait=final`) that the node answers the moment the tx's block commits. A node that
     * answers "not final" sooner than asked (one without long-poll, or with every waiter slot taken) is
     * polled every `intervalMs` (default 50) instead.
     */
    async waitForTx(hash: string, opts2: { timeoutMs?: number; intervalMs?: number } = {}) {
      const timeoutMs = opts2.timeoutMs ?? 30_000;
      const end = performance.now() + timeoutMs;
      const path = routePath("GET /v1/txs/:hash", { hash });
      for (;;) {
        const waitMs = Math.max(0, Math.min(Math.floor(end - performance.now()), LONG_POLL_MS));
        const asked = performance.now();
        let waited = false;
        try {
          const t = await request<TxStatus>(
            o.url,
            "GET",
            `${path}?wait=final&timeoutMs=${waitMs}`,
            undefined,
            {
              ...o,
              timeoutMs: waitMs + (o.timeoutMs ?? 10_000),
            },
          );
          if (t.status === "committed") return t;
          waited = performance.now() - asked >= waitMs / 2;
        } catch (err) {
          if (!(err instanceof ClientError) || !RETRY_WAIT_CODES.has(err.code)) throw err;
          waited = err.code === "NOT_FOUND" && performance.now() - asked >= waitMs / 2;
        }
        const left = end - performance.now();
        if (left <= 0)
          throw new ClientError(
            { code: "TIMEOUT", url: o.url },
            `transaction ${hash} not final after ${timeoutMs} ms`,
          );
        if (!waited) await new Promise((r) => setTimeout(r, Math.min(opts2.intervalMs ?? 50, left)));
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
  let chainId: Promise<string> | undefined;
  const product = productMethods(
    (t) => client.send(t),
    () => {
      chainId ??= client.status().then((st) => st.chainId);
      return chainId;
    },
  );
  return Object.assign(client, product);
}

export type Client = ReturnType<typeof createClient>;
export { ClientError };
