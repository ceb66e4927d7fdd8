/**
 * The node's HTTP API (DESIGN.md §5). JSON only at this edge: bytes 0x-hex, addresses fp1…, amounts as
 * decimal strings. Handlers read the live state through `ctx`; writes go through `submitTx` only. Each JSON
 * route is bound with `contractRoute`, so its answer is type-checked against `core/api/contract.ts`.
 */
import type {
  ConsensusHalt,
  ConsensusView,
  NodeStatus,
  SubmitTxResponse,
  TxStatus,
  ValidatorInfoJson,
  ValidatorsInfo,
  VoteValueJson,
} from "../../core/api/contract.js";
import {
  epochOf,
  findValidator,
  readIndex,
  readUnbonding,
  selfStake,
} from "../../core/chain/apply/staking-store.js";
import { blockToJson, decodeBlock } from "../../core/chain/block.js";
import { getAccount, type State, VALIDATOR_INDEX_KEY } from "../../core/chain/state.js";
import { decodeTx, type Tx, txFromJson, txToJson } from "../../core/chain/tx.js";
import { proposerFor } from "../../core/chain/validator-set.js";
import type { Evidence } from "../../core/chain/vote.js";
import { fromHex, toHex } from "../../core/codec/index.js";
import { type ConsensusState, voteAt } from "../../core/consensus/index.js";
import { decodeAddress, encodeAddress } from "../../core/crypto/index.js";
import { parseFaultRequest } from "../fault-file.js";
import type { Mempool } from "../mempool.js";
import type { Metrics } from "../metrics.js";
import type { Transport } from "../p2p/transport.js";
import type { Store } from "../store.js";
import { contractRoute } from "./contract-route.js";
import { ApiError, type ApiRequest, type Route } from "./http.js";
import { productRoutes } from "./product-routes.js";
import { slashingRoutes, validatorSlashingFields } from "./slashing-routes.js";
import { parseTxWait, type TxWaiters } from "./tx-waiters.js";

/** See the file header. */
export interface ApiContext {
  chainId: string;
  genesisHash: Uint8Array;
  nodeId: string;
  moniker: string;
  validatorAddress: Uint8Array | null;
  state: () => State;
  consensus: () => ConsensusState;
  syncing: () => boolean;
  /** This node's evidence pool (issue 15). */
  pendingEvidence: () => Evidence[];
  /** Why consensus halted (two commits for one height), or null. */
  halted: () => ConsensusHalt | null;
  store: Store;
  mempool: Mempool<Tx>;
  transport: Transport;
  metrics: Metrics;
  /** Admits a tx; `bytes` are its canonical encoding when the caller has them (saves re-encoding). */
  submitTx: (tx: Tx, bytes?: Uint8Array) => { hash: string };
  faultsEnabled: boolean;
  /** After every fault change: the node saves the persisted ones (`node/fault-file.ts`). */
  onFaultsChanged?: () => void;
  startedAt: number;
  /** Most txs in one `/v1/txs/batch` request (config `api.maxBatchTxs`). */
  maxBatchTxs: number;
  /** Requests parked by `GET /v1/txs/:hash?wait=final` until their tx commits (issue 22 item 3). */
  txWaiters: TxWaiters;
  /** Backups written by this node (`POST|GET /admin/backup`). */
  backups?: ReturnType<typeof import("../backup/node-job.js").createBackupJobs>;
}

/**
 * SECURITY: most batch txs queued for admission at once, in multiples of `maxBatchTxs`; past it batches get
 * 503 BUSY, so a flood from many IPs cannot pile up parsed bodies without end (issue 24 item 7).
 */
export const MAX_QUEUED_BATCHES = 8;

function parseHeight(s: string): bigint {
  if (!/^\d{1,19}$/.test(s))
    throw new ApiError(400, "BAD_HEIGHT", `height must be a positive integer, got "${s}"`);
  return BigInt(s);
}

/**
 * Parses a submitted tx body (`POST /v1/txs`); with its canonical bytes when it came as bytes (decoding is
 * strict). Exported for the fuzz target (issue 23).
 * @throws ApiError or a typed codec/chain error: every bad body is a 4xx.
 */
export function parseTx(body: unknown): [Tx, Uint8Array?] {
  const hex =
    typeof body === "string"
      ? body
      : body && typeof body === "object" && "tx" in body && typeof (body as { tx: unknown }).tx === "string"
        ? (body as { tx: string }).tx
        : undefined;
  if (hex !== undefined) {
    const bytes = fromHex(hex);
    return [decodeTx(bytes), bytes];
  }
  if (body && typeof body === "object") return [txFromJson(body)];
  throw new ApiError(400, "BAD_TX", 'body must be {"tx": "0x<canonical tx bytes>"} or a tx in JSON form');
}

/** The tx as a plain `GET /v1/txs/:hash` answers it: committed, pending, or null when unknown. */
async function lookupTx(ctx: ApiContext, hash: Uint8Array): Promise<TxStatus | null> {
  const loc = await ctx.store.txLocation(hash);
  if (loc) {
    const block = decodeBlock((await ctx.store.blockByHeight(loc.height)) as Uint8Array);
    const tx = block.txs[loc.index] as Tx;
    return { status: "committed", height: loc.height.toString(), index: loc.index, tx: txToJson(tx) };
  }
  const pending = ctx.mempool.get(toHex(hash));
  return pending ? { status: "pending", tx: txToJson(pending) } : null;
}

/**
 * `GET /v1/txs/:hash[?wait=final&timeoutMs=N]`. With `wait=final` the answer waits until the tx's block
 * commits (at most N ms, default DEFAULT_TX_WAIT_MS); at the end of the wait it is what a plain GET answers
 * then (200 pending, or 404 NOT_FOUND), so "not final yet" is never an error. The waiter is registered
 * before the store is read, so a commit in between is not missed.
 */
async function txRoute(
  ctx: ApiContext,
  r: { params: { hash: string }; query: URLSearchParams; signal: AbortSignal },
) {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(r.params.hash))
    throw new ApiError(
      400,
      "BAD_TX_HASH",
      `"${r.params.hash.slice(0, 80)}" is not a transaction hash: expected 0x and 64 hex digits`,
    );
  const hash = fromHex(r.params.hash, 32);
  const hex = toHex(hash);
  const waitMs = parseTxWait(r.query);
  const end = performance.now() + (waitMs ?? 0);
  for (;;) {
    const left = Math.ceil(end - performance.now());
    let parked: ReturnType<TxWaiters["wait"]> | null = null;
    try {
      if (left > 0) parked = ctx.txWaiters.wait(hex, left, r.signal);
    } catch (err) {
      // Every waiter slot taken: a committed tx is still answered, anything else gets the 503.
      if ((await lookupTx(ctx, hash))?.status !== "committed") throw err;
    }
    const found = await lookupTx(ctx, hash);
    if (!parked || found?.status === "committed") {
      parked?.cancel();
      if (!found) throw new ApiError(404, "NOT_FOUND", `unknown transaction ${hex}`);
      return { json: found };
    }
    const outcome = await parked.outcome;
    if (outcome === "closed") throw new ApiError(503, "NODE_STOPPING", "the node is shutting down");
    if (outcome === "aborted") throw new ApiError(503, "CLIENT_CLOSED", "the client went away");
    // "committed": look again; "timeout": the next turn has no time left and answers as a plain GET.
  }
}

async function blockAt(ctx: ApiContext, height: bigint) {
  const raw = await ctx.store.blockByHeight(height);
  if (!raw)
    throw new ApiError(404, "NOT_FOUND", `no block at height ${height} (latest is ${ctx.state().height})`);
  return blockToJson(decodeBlock(raw));
}

function statusOf(ctx: ApiContext): NodeStatus {
  const s = ctx.state();
  const cs = ctx.consensus();
  return {
    chainId: ctx.chainId,
    genesisHash: toHex(ctx.genesisHash),
    nodeId: ctx.nodeId,
    moniker: ctx.moniker,
    validator: ctx.validatorAddress ? toHex(ctx.validatorAddress) : null,
    height: s.height.toString(),
    latestBlockHash: toHex(s.lastBlockHash),
    latestBlockTime: s.lastBlockTime.toString(),
    stateRoot: toHex(s.tree.root()),
    consensus: { height: cs.height.toString(), round: cs.round, step: cs.step },
    peers: ctx.transport.peers().length,
    syncing: ctx.syncing(),
    mempool: { txs: ctx.mempool.size, bytes: ctx.mempool.totalBytes },
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    halted: ctx.halted(),
  };
}

function consensusView(ctx: ApiContext): ConsensusView {
  const cs = ctx.consensus();
  const rounds = [...cs.rounds.entries()].sort((a, b) => a[0] - b[0]).slice(-4);
  return {
    height: cs.height.toString(),
    round: cs.round,
    step: cs.step,
    proposer: cs.validators.validators.length ? toHex(proposerFor(cs.validators, cs.round).address) : null,
    lockedRound: cs.lockedRound,
    lockedValue: cs.lockedValue,
    validRound: cs.validRound,
    totalPower: cs.validators.totalPower.toString(),
    validators: cs.validators.validators.map((v, i) => ({
      address: toHex(v.address),
      power: v.power.toString(),
      workWeight: v.workWeight.toString(),
      rounds: rounds.map(([round, rs]) => ({
        round,
        prevote: voteValue(voteAt(rs.prevotes, i)),
        precommit: voteValue(voteAt(rs.precommits, i)),
      })),
    })),
    rounds: rounds.map(([round, rs]) => ({
      round,
      proposal: rs.proposal ? toHex(rs.proposal.signed.proposal.blockHash) : null,
      prevotePower: rs.prevotes.total.toString(),
      precommitPower: rs.precommits.total.toString(),
    })),
  };
}

function voteValue(sv: { vote: { blockHash: Uint8Array | null } } | undefined): VoteValueJson {
  if (!sv) return null;
  return sv.vote.blockHash ? toHex(sv.vote.blockHash) : "nil";
}

export function apiRoutes(ctx: ApiContext): Route[] {
  /** A 200 answer; its type is checked against the route's response by `contractRoute`. */
  const ok = <T>(json: T) => ({ json });
  return [
    contractRoute("GET /healthz", () => ok({ status: "ok" })),
    contractRoute("GET /readyz", () => {
      const peers = ctx.transport.peers().length;
      const alone = ctx.state().validatorSet.validators.length <= 1;
      const ready = !ctx.syncing() && (peers > 0 || alone);
      return { status: ready ? 200 : 503, json: { ready, syncing: ctx.syncing(), peers } };
    }),
    {
      method: "GET",
      path: "/metrics",
      handler: async () => ({
        text: await ctx.metrics.registry.metrics(),
        contentType: ctx.metrics.registry.contentType,
      }),
    },
    contractRoute("GET /v1/status", () => ok(statusOf(ctx))),
    contractRoute("GET /v1/consensus", () => ok(consensusView(ctx))),
    contractRoute("GET /v1/blocks/latest", async () => ok(await blockAt(ctx, ctx.state().height))),
    contractRoute("GET /v1/blocks/:height", async (r) =>
      ok(await blockAt(ctx, parseHeight(r.params.height))),
    ),
    contractRoute("GET /v1/txs/:hash", (r) => txRoute(ctx, r), {
      // A long-poll may take its wait on top of the request time limit (bad queries are answered at once).
      extraTimeMs: (query) => {
        try {
          return parseTxWait(query) ?? 0;
        } catch {
          return 0;
        }
      },
    }),
    {
      method: "POST",
      path: "/v1/txs",
      txBudget: true,
      handler: (r: ApiRequest) => ({
        status: 202,
        json: { ...ctx.submitTx(...parseTx(r.body)), status: "pending" } satisfies SubmitTxResponse,
      }),
    },
    {
      // SECURITY (issue 24 item 7): at most maxBatchTxs txs; each costs a token of the caller's tx budget
      // (those past it are answered RATE_LIMITED, unverified); admission runs in the server's CPU slices, so
      // the event loop keeps answering other requests while a batch is verified.
      method: "POST",
      path: "/v1/txs/batch",
      txBudget: true,
      handler: async (r: ApiRequest) => {
        const list = (r.body as { txs?: unknown })?.txs;
        const max = ctx.maxBatchTxs;
        if (!Array.isArray(list) || list.length > max) {
          throw new ApiError(400, "BAD_BATCH", `body must be {"txs": [...]} with at most ${max} txs`, {
            max,
          });
        }
        if (r.cpu.pending + list.length > max * MAX_QUEUED_BATCHES)
          throw new ApiError(503, "BUSY", "the node is busy admitting other batches; retry shortly");
        // The route took one token before reading the body: it pays for the first tx.
        const granted = list.length === 0 ? 0 : 1 + r.takeTxs(list.length - 1);
        const admitted = await r.cpu.run(
          list.slice(0, granted),
          (item: unknown) => {
            try {
              return { ...ctx.submitTx(...parseTx(item)), status: "pending" };
            } catch (err) {
              const e = err as { code?: string; message?: string };
              return { error: { code: e.code ?? "INTERNAL", message: e.message ?? String(err) } };
            }
          },
          r.signal,
        );
        const limited = {
          error: { code: "RATE_LIMITED", message: "over this client's tx budget; resend later" },
        };
        const results: unknown[] = admitted;
        for (let i = granted; i < list.length; i++) results.push(limited);
        return { status: 202, json: { results } };
      },
    },
    contractRoute("GET /v1/accounts/:address", (r) => {
      const address = r.params.address;
      const bytes = decodeAddress(address);
      const state = ctx.state();
      const acct = getAccount(state, bytes);
      const pending = ctx.mempool.pendingCount(toHex(bytes).slice(2));
      return ok({
        address,
        balance: acct.balance.toString(),
        nonce: acct.nonce.toString(),
        nextNonce: (acct.nonce + BigInt(pending)).toString(),
        height: state.height.toString(),
      });
    }),
    contractRoute("GET /v1/validators", () => ok(validatorsView(ctx))),
    contractRoute("GET /v1/unbonding/:address", (r) => {
      const address = r.params.address;
      const s = ctx.state();
      const entries = readUnbonding(s.tree, decodeAddress(address)).map((e) => ({
        validator: encodeAddress(e.validator),
        amount: e.amount.toString(),
        releaseEpoch: e.releaseEpoch.toString(),
        releaseAfterHeight: (e.releaseEpoch * s.params.epochLength).toString(),
      }));
      return ok({ address, height: s.height.toString(), entries });
    }),
    ...slashingRoutes(ctx),
    ...productRoutes(ctx),
    contractRoute("GET /admin/peers", () =>
      ok({ peers: ctx.transport.peers(), faults: ctx.transport.faults() }),
    ),
    contractRoute("POST /admin/faults", (r) => {
      if (!ctx.faultsEnabled)
        throw new ApiError(403, "FAULTS_DISABLED", "fault injection is off (devnet.faults: false)");
      const { peer, fault } = parseFaultRequest(r.body);
      ctx.transport.setFault(peer, fault);
      ctx.onFaultsChanged?.();
      return ok({ faults: ctx.transport.faults() });
    }),
    contractRoute("POST /admin/backup", () => {
      if (!ctx.backups) throw new ApiError(404, "NOT_FOUND", "this node does not write backups");
      return { status: 202, json: ctx.backups.start() };
    }),
    contractRoute("GET /admin/backup", () => {
      const job = ctx.backups?.status();
      if (!job) throw new ApiError(404, "NO_BACKUP", "no backup was started on this node");
      return ok(job);
    }),
    contractRoute("DELETE /admin/faults", () => {
      for (const id of Object.keys(ctx.transport.faults())) ctx.transport.setFault(id, null);
      ctx.onFaultsChanged?.();
      return ok({ faults: {} });
    }),
  ];
}

function validatorsView(ctx: ApiContext): ValidatorsInfo {
  const s = ctx.state();
  const params = s.params;
  const epoch = epochOf(s.height + 1n, params);
  const nextBoundary = (epoch + 1n) * params.epochLength;
  const active = new Map(s.validatorSet.validators.map((v, i) => [toHex(v.address), i]));
  const validators = readIndex(s.tree, VALIDATOR_INDEX_KEY).map((address): ValidatorInfoJson => {
    const v = findValidator(s.tree, address) as NonNullable<ReturnType<typeof findValidator>>;
    const self = selfStake(s.tree, address, v);
    const i = active.get(toHex(address));
    const inSet = i === undefined ? null : s.validatorSet.validators[i];
    return {
      address: toHex(address),
      consensusAddress: encodeAddress(address),
      name: v.name,
      operator: encodeAddress(v.operator),
      publicKey: toHex(v.consensusKey),
      status: v.status,
      stake: v.stake.toString(),
      selfStake: self.toString(),
      delegatedStake: (v.stake - self).toString(),
      power: inSet ? inSet.power.toString() : "0",
      workWeight: String(v.workWeight),
      pendingWorkWeight: v.pendingWorkWeight === null ? null : String(v.pendingWorkWeight),
      commission: v.commission,
      proposerPriority: i === undefined ? null : String(s.validatorSet.priorities[i]),
      ...validatorSlashingFields(s, address),
    };
  });
  return {
    height: s.height.toString(),
    epoch: epoch.toString(),
    epochLength: params.epochLength.toString(),
    pendingChangesApplyAtHeight: (nextBoundary + 1n).toString(),
    totalPower: s.validatorSet.totalPower.toString(),
    validators,
  };
}
