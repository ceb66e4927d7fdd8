/**
 * The node API contract (DESIGN.md §5): every JSON route with its request and response body, the error
 * body, and the event stream. Types only — the node's handlers (`node/api/routes.ts`) are type-checked
 * against it and the client SDK (`client/`) and the TUI (`tui/`) read their results through it, so the two
 * sides cannot drift apart silently.
 *
 * It lives in `core/` because that is the one layer both the node and the client may import (DESIGN.md §1);
 * it imports only types from `core/chain` and `core/consensus` and has no runtime code.
 *
 * Encoding (DESIGN.md §2): amounts, stakes, powers, heights, epochs and nonces are decimal strings; hashes,
 * public keys and consensus addresses 0x-hex; account and operator addresses fp1…; rounds, counts, sizes
 * and ms plain numbers. NOTE: a few fields differ from that today and are kept for compatibility (see
 * CHANGELOG): `BlockJson.header.proposer` and commit signers are fp1… while events and `/v1/consensus` use
 * 0x-hex consensus addresses; `ValidatorInfoJson.commission` is a number (basis points).
 */
import type { BlockJson } from "../chain/block.js";
import type { Validator } from "../chain/state.js";
import type { TxJson } from "../chain/tx.js";
import type { Step } from "../consensus/types.js";
import type { JsonValue } from "./wire.js";

export type * from "./events.js";
export type * from "./wire.js";

/** `{error: {code, message, data?}}`: every non-2xx answer (4xx for the caller's mistakes, 5xx for ours). */
export interface ApiErrorBody {
  error: { code: string; message: string; data?: { readonly [key: string]: JsonValue } };
}

/** `GET /v1/status`. */
export interface NodeStatus {
  chainId: string;
  /** 0x-hex. */
  genesisHash: string;
  nodeId: string;
  moniker: string;
  /** 0x-hex consensus address of this node's validator key, or null for a full node. */
  validator: string | null;
  height: string;
  latestBlockHash: string;
  /** ms since the epoch, decimal string. */
  latestBlockTime: string;
  stateRoot: string;
  consensus: { height: string; round: number; step: Step };
  peers: number;
  syncing: boolean;
  mempool: { txs: number; bytes: number };
  uptimeSeconds: number;
  /**
   * Set once consensus halted on two commits for one height (at least 1/3 byzantine, DESIGN.md §4): the
   * node no longer votes or commits and needs an operator. Null while consensus runs.
   */
  halted: ConsensusHalt | null;
}

/** Why consensus halted: the height with two commits, and the two block hashes (0x-hex). */
export interface ConsensusHalt {
  height: string;
  round: number;
  reason: string;
  ours: string;
  theirs: string;
}

/** A vote seen in `/v1/consensus`: a 0x-hex block hash, `"nil"`, or null (no vote seen). */
export type VoteValueJson = string | null;

/** `GET /v1/consensus`: the engine's round state and vote sets for the last ≤ 4 rounds (for `watch`). */
export interface ConsensusView {
  height: string;
  round: number;
  step: Step;
  /** 0x-hex consensus address of this round's proposer (null with an empty set). */
  proposer: string | null;
  /** -1 = none (the paper's ⊥). */
  lockedRound: number;
  /** 0x-hex block hash or null. */
  lockedValue: string | null;
  validRound: number;
  totalPower: string;
  validators: {
    /** 0x-hex consensus address. */
    address: string;
    power: string;
    /** Fixed point, 10000 = 1.0. */
    workWeight: string;
    rounds: { round: number; prevote: VoteValueJson; precommit: VoteValueJson }[];
  }[];
  rounds: { round: number; proposal: string | null; prevotePower: string; precommitPower: string }[];
}

/** `GET /v1/accounts/:address`. */
export interface AccountInfo {
  address: string;
  balance: string;
  nonce: string;
  /** The nonce to sign next: the committed nonce plus this sender's txs pending in the mempool. */
  nextNonce: string;
  /** Height of the state the balance was read from. */
  height: string;
}

/** `GET /v1/txs/:hash`. */
export type TxStatus =
  | { status: "committed"; height: string; index: number; tx: TxJson }
  | { status: "pending"; tx: TxJson };

/** `POST /v1/txs` body: canonical tx bytes as 0x-hex (or the tx in its JSON form, `TxJson`). */
export type SubmitTxRequest = { tx: string } | TxJson;

/** `POST /v1/txs` (202). */
export interface SubmitTxResponse {
  hash: string;
  status: "pending";
}

/** `POST /v1/txs/batch` body: at most 10,000 txs. */
export interface SubmitTxBatchRequest {
  txs: SubmitTxRequest[];
}

/** `POST /v1/txs/batch` (202): one result per submitted tx, in order. */
export interface SubmitTxBatchResponse {
  results: (SubmitTxResponse | ApiErrorBody)[];
}

/** One validator of `GET /v1/validators`. */
export interface ValidatorInfoJson {
  /** 0x-hex consensus address. */
  address: string;
  /** The same address, fp1…. */
  consensusAddress: string;
  name: string;
  /** fp1… account that operates it. */
  operator: string;
  publicKey: string;
  status: Validator["status"];
  stake: string;
  selfStake: string;
  delegatedStake: string;
  /** "0" unless in the current active set. */
  power: string;
  workWeight: string;
  /** Set by `set-work-weight`, applied at the next epoch boundary. */
  pendingWorkWeight: string | null;
  /** Basis points. */
  commission: number;
  proposerPriority: string | null;
  /** Out of the active set for downtime or double-sign (see `/v1/slashing/:validator`). */
  jailed: boolean;
  /** Double-signed: jailed for ever. */
  tombstoned: boolean;
  /** Blocks missed in the current signed-blocks window. */
  missedBlocks: number;
  /** Tokens burned from its stake and unbonding entries by slashing, in total. */
  slashed: string;
}

/** `GET /v1/validators`. */
export interface ValidatorsInfo {
  height: string;
  epoch: string;
  epochLength: string;
  /** Stake, set and workWeight changes made now take effect from this height. */
  pendingChangesApplyAtHeight: string;
  totalPower: string;
  validators: ValidatorInfoJson[];
}

/** `GET /v1/unbonding/:address`. */
export interface UnbondingInfo {
  address: string;
  height: string;
  entries: { validator: string; amount: string; releaseEpoch: string; releaseAfterHeight: string }[];
}

/** `GET /v1/slashing/:validator` (consensus address, fp1… or 0x-hex). */
export interface SlashingInfoJson {
  /** 0x-hex consensus address. */
  address: string;
  consensusAddress: string;
  height: string;
  status: Validator["status"];
  jailed: boolean;
  /** First height `tx unjail` is accepted; null when not jailed, or tombstoned (never). */
  jailedUntil: string | null;
  tombstoned: boolean;
  jailReason: "downtime" | "double-sign" | null;
  missedBlocks: number;
  signedBlocksWindow: number;
  /** Misses in the window past which it is jailed for downtime. */
  maxMissedBlocks: string;
  /** Tokens burned, in total. */
  slashed: string;
}

/** One infraction in `GET /v1/evidence`. */
export interface EvidenceJson {
  /** What was signed twice. */
  kind: "prevote" | "precommit" | "proposal";
  /** 0x-hex consensus address of the offender. */
  validator: string;
  height: string;
  round: number;
  /** Height of the block that carried it (committed only). */
  committedAt?: string;
}

/**
 * `GET /v1/evidence`: committed evidence the state still remembers (until it expires) and this node's pool
 * of evidence waiting for a block, with the chain's totals.
 */
export interface EvidenceInfo {
  height: string;
  committed: EvidenceJson[];
  pending: EvidenceJson[];
  /** Tokens burned by slashing since genesis. */
  burned: string;
  evidenceMaxAgeBlocks: string;
}

/** `GET /v1/rewards/:address` (docs/product-layer.md "Rewards"). */
export interface RewardsInfo {
  address: string;
  height: string;
  /** Accrued (commission and settled delegator rewards). */
  accrued: string;
  /** Earned by delegations since they were last settled, per validator (0x-hex consensus address). */
  unsettled: { validator: string; amount: string }[];
  /** What `withdraw-rewards` would pay now. */
  total: string;
}

/** `GET /v1/work/:epoch/:validator`: a work report, its attestation and any open challenge. */
export interface WorkReportInfo {
  epoch: string;
  /** 0x-hex consensus address. */
  validator: string;
  reporter: string;
  workUnits: string;
  proofHash: string;
  uri: string;
  /** SHA-256 of the report's canonical encoding (what attestations sign). */
  reportHash: string;
  height: string;
  score: number | null;
  status: "open" | "fraud" | "upheld";
  challenge: { challenger: string; bond: string; evidenceHash: string; uri: string; height: string } | null;
  /** Reward of that epoch still vesting for the validator. */
  vesting: string;
}

/** `GET /v1/oracle`: the committee in force (null when the chain has none). */
export interface OracleInfo {
  committee: { version: string; threshold: number; members: string[] } | null;
}

/** `GET /v1/billing/:escrow`. */
export interface EscrowInfo {
  /** 0x-hex id. */
  id: string;
  owner: string;
  balance: string;
  /** Epoch from which the unused deposit may be refunded (null until closed). */
  refundEpoch: string | null;
  invoices: { id: number; validator: string; amount: string; usageHash: string }[];
  height: string;
}

/** `GET /v1/supply`: totalSupply + burned = genesis supply + minted. */
export interface SupplyInfo {
  height: string;
  total: string;
  burned: string;
  minted: string;
  rewardPool: string;
}

/** `GET /healthz`. */
export interface HealthResponse {
  status: "ok";
}

/** `GET /readyz` (200 when ready, 503 when not): synced and connected (or a one-validator chain). */
export interface ReadyResponse {
  ready: boolean;
  syncing: boolean;
  peers: number;
}

/** A connected p2p peer (`GET /admin/peers`). */
export interface PeerJson {
  id: string;
  moniker: string;
  listenUrl: string;
  inbound: boolean;
  remote: string;
}

/** Devnet fault injection on one peer: drop, delay (± jitter) or lose its frames (both ways). */
export interface FaultJson {
  drop?: boolean;
  /** Only frames of these p2p message types. */
  dropTypes?: number[];
  delayMs?: number;
  /** Extra delay per frame, uniform in [0, jitterMs]; frame order is kept. */
  jitterMs?: number;
  /** Probability 0..1 that a frame is dropped. */
  loss?: number;
  /** Kept in the node home and applied again after a restart. */
  persist?: boolean;
}

/** Faults in force, by peer id (`*` = every peer). */
export type FaultsJson = { [peerId: string]: FaultJson };

/** `POST /admin/faults` body. */
export interface SetFaultRequest {
  peer: string;
  drop?: boolean;
  /** Drop only tx gossip; consensus traffic still flows. */
  dropTxGossip?: boolean;
  /** Drop only app frames of these p2p message types. */
  dropTypes?: number[];
  delayMs?: number;
  jitterMs?: number;
  loss?: number;
  /** Keep the fault across restarts (until `DELETE /admin/faults`). */
  persist?: boolean;
}

/** A backup the node writes into `<home>/data/backups/` (`POST|GET /admin/backup`, issue 17). */
export interface BackupJobJson {
  id: string;
  state: "running" | "done" | "failed";
  /** File name in `<home>/data/backups/`. */
  file: string;
  /** The committed height the backup holds, once done. */
  height: string | null;
  bytes: number | null;
  error?: string;
}

/**
 * Every JSON route, keyed `"METHOD /path"` with `:params` as in the router. `/admin/*` routes need the
 * node's bearer token. Not listed: `/metrics` (Prometheus text) and the WebSocket `EVENTS_PATH`.
 */
export interface ApiRoutes {
  "GET /healthz": { response: HealthResponse };
  "GET /readyz": { response: ReadyResponse };
  "GET /v1/status": { response: NodeStatus };
  "GET /v1/consensus": { response: ConsensusView };
  "GET /v1/blocks/latest": { response: BlockJson };
  "GET /v1/blocks/:height": { response: BlockJson };
  "GET /v1/txs/:hash": { response: TxStatus };
  "POST /v1/txs": { body: SubmitTxRequest; response: SubmitTxResponse };
  "POST /v1/txs/batch": { body: SubmitTxBatchRequest; response: SubmitTxBatchResponse };
  "GET /v1/accounts/:address": { response: AccountInfo };
  "GET /v1/validators": { response: ValidatorsInfo };
  "GET /v1/supply": { response: SupplyInfo };
  "GET /v1/unbonding/:address": { response: UnbondingInfo };
  "GET /v1/slashing/:validator": { response: SlashingInfoJson };
  "GET /v1/evidence": { response: EvidenceInfo };
  "GET /v1/rewards/:address": { response: RewardsInfo };
  "GET /v1/work/:epoch/:validator": { response: WorkReportInfo };
  "GET /v1/oracle": { response: OracleInfo };
  "GET /v1/billing/:escrow": { response: EscrowInfo };
  "GET /admin/peers": { response: { peers: PeerJson[]; faults: FaultsJson } };
  "POST /admin/faults": { body: SetFaultRequest; response: { faults: FaultsJson } };
  "DELETE /admin/faults": { response: { faults: FaultsJson } };
  "POST /admin/backup": { body: Record<string, never>; response: BackupJobJson };
  "GET /admin/backup": { response: BackupJobJson };
}

/** `"GET /v1/status"`, … */
export type ApiRoute = keyof ApiRoutes;
export type ApiMethod = "GET" | "POST" | "DELETE" | "PUT";
export type MethodOf<R extends ApiRoute> = R extends `${infer M extends ApiMethod} ${string}` ? M : never;
export type PathOf<R extends ApiRoute> = R extends `${ApiMethod} ${infer P}` ? P : never;
export type ResponseOf<R extends ApiRoute> = ApiRoutes[R]["response"];
export type RequestOf<R extends ApiRoute> = ApiRoutes[R] extends { body: infer B } ? B : undefined;

/** The `:params` of a path as an object: `PathParams<"/v1/txs/:hash">` = `{hash: string}`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

/** The path params of a route. */
export type ParamsOf<R extends ApiRoute> = PathParams<PathOf<R>>;

/** Routes of one method (the client's `get` takes only GET routes). */
export type RoutesOf<M extends ApiMethod> = { [R in ApiRoute]: MethodOf<R> extends M ? R : never }[ApiRoute];

/** The WebSocket event stream (`?types=newBlock,vote` filters; see `NodeEvent`). */
export const EVENTS_PATH = "/v1/events" as const;
