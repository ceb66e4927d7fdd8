/**
 * `fastpos watch` view state as a pure reducer (STYLE.md "Ink behind a render function, state in a pure
 * reducer"): node statuses, consensus views and events in; everything the screen shows out. Time enters as
 * `at` (ms) on each action, so tests replay recorded sequences deterministically.
 */
import type {
  ConsensusView,
  EventJsonOf,
  NodeStatus,
  ValidatorInfoJson,
  VoteValueJson,
} from "../core/api/contract.js";
import type { Step } from "../core/consensus/types.js";

export interface NodeView {
  name: string;
  url: string;
  online: boolean;
  validator: string | null;
  height: number | null;
  round: number | null;
  step: Step | null;
  peers: number | null;
  mempool: number | null;
  lastSeen: number | null;
}

export type VoteMark = "block" | "nil" | "missing";

export interface ValidatorRow {
  address: string;
  name: string;
  power: string;
  workWeight: string;
  /** The operator's withdrawable rewards (product layer), "–" until known. */
  rewards: string;
  online: boolean;
  proposer: boolean;
  /** Per shown round: prevote and precommit marks. */
  votes: { round: number; prevote: VoteMark; precommit: VoteMark }[];
  /** Tokens burned from it so far ("0" when never slashed). */
  slashed: string;
}

/** A validator's penalties as watch knows them (from `/v1/validators` and the slash/jail/unjail events). */
export interface PenaltyMark {
  jailed: boolean;
  tombstoned: boolean;
  /** Tokens burned, decimal. */
  slashed: string;
  missedBlocks: number;
}

/** A jailed validator (out of the vote matrix, which shows the active set only). */
export interface JailedRow {
  address: string;
  name: string;
  tombstoned: boolean;
  slashed: string;
}

/** One piece of evidence seen on the event stream (each infraction once, updated when committed). */
export interface EvidenceRow {
  validator: string;
  name: string;
  kind: string;
  height: number;
  round: number;
  committedAt: number | null;
}

export interface RoundSummary {
  round: number;
  proposal: string | null;
  prevotePct: number;
  precommitPct: number;
  prevoteQuorum: boolean;
  precommitQuorum: boolean;
}

export interface BlockRow {
  height: number;
  hash: string;
  txs: number;
  proposer: string;
  latencyMs: number;
  round: number;
}

export interface WatchState {
  chainId: string | null;
  nodes: NodeView[];
  height: number | null;
  round: number | null;
  step: Step | null;
  validators: ValidatorRow[];
  rounds: RoundSummary[];
  blocks: BlockRow[];
  /** Blocks and txs per second over the last buckets (sparklines). */
  blockRate: number[];
  txRate: number[];
  lastBlockAt: number | null;
  paused: boolean;
  selected: number;
  help: boolean;
  confirm: { action: "kill" | "start" | "restart"; node: string } | null;
  message: string | null;
  /** By 0x consensus address. */
  penalties: Record<string, PenaltyMark>;
  jailed: JailedRow[];
  /** Newest first, at most MAX_EVIDENCE. */
  evidence: EvidenceRow[];
  /** Withdrawable rewards of each validator's operator, by 0x validator address. */
  rewards: Record<string, string>;
}

/**
 * The parts of the API's answers and events the reducer reads, taken from the API contract (not re-declared),
 * so a change of the wire shape is a compile error here.
 */
export type ConsensusViewJson = Pick<
  ConsensusView,
  "height" | "round" | "step" | "proposer" | "totalPower" | "validators" | "rounds"
>;
export type StatusJson = Pick<NodeStatus, "chainId" | "height" | "peers" | "validator"> & {
  consensus: Pick<NodeStatus["consensus"], "round" | "step">;
  mempool: Pick<NodeStatus["mempool"], "txs">;
};
export type NewBlockJson = Pick<
  EventJsonOf<"newBlock">,
  "height" | "hash" | "txs" | "proposer" | "latencyMs" | "round"
>;

export type ValidatorsJson = Pick<
  ValidatorInfoJson,
  "address" | "name" | "status" | "jailed" | "tombstoned" | "slashed" | "missedBlocks"
>[];
export type SlashingEventJson =
  | Pick<
      EventJsonOf<"evidence">,
      "type" | "validator" | "kind" | "height" | "round" | "status" | "committedAt"
    >
  | Pick<EventJsonOf<"slash">, "type" | "validator" | "amount">
  | Pick<EventJsonOf<"jail">, "type" | "validator" | "tombstoned">
  | Pick<EventJsonOf<"unjail">, "type" | "validator">;

export type WatchAction =
  | { type: "status"; node: string; at: number; status: StatusJson }
  | { type: "offline"; node: string; at: number }
  | { type: "consensus"; node: string; at: number; view: ConsensusViewJson }
  | { type: "newBlock"; node: string; at: number; block: NewBlockJson }
  | { type: "validators"; at: number; validators: ValidatorsJson }
  | { type: "slashing"; at: number; event: SlashingEventJson }
  | {
      type: "key";
      key: "pause" | "up" | "down" | "help" | "kill" | "start" | "restart" | "confirm" | "cancel";
    }
  | { type: "message"; text: string | null }
  | { type: "rewards"; rewards: Record<string, string> };

const BUCKETS = 30;
const MAX_BLOCKS = 8;
const MAX_EVIDENCE = 5;
const NO_PENALTY: PenaltyMark = { jailed: false, tombstoned: false, slashed: "0", missedBlocks: 0 };

/**
 * `validator` (the 0x address a node validates for, known from devnet.json) lets a node that never
 * answered still name its validator row, and mark it offline, instead of showing `0x27c1…` "online".
 */
export function initialWatchState(nodes: { name: string; url: string; validator?: string }[]): WatchState {
  return {
    chainId: null,
    nodes: nodes.map((n) => ({
      name: n.name,
      url: n.url,
      online: false,
      validator: n.validator ?? null,
      height: null,
      round: null,
      step: null,
      peers: null,
      mempool: null,
      lastSeen: null,
    })),
    height: null,
    round: null,
    step: null,
    validators: [],
    rounds: [],
    blocks: [],
    blockRate: [],
    txRate: [],
    lastBlockAt: null,
    paused: false,
    selected: 0,
    help: false,
    confirm: null,
    rewards: {},
    message: null,
    penalties: {},
    jailed: [],
    evidence: [],
  };
}

function mark(v: VoteValueJson): VoteMark {
  return v === null ? "missing" : v === "nil" ? "nil" : "block";
}

function pct(power: string, total: string): number {
  const t = BigInt(total);
  return t === 0n ? 0 : Number((BigInt(power) * 1000n) / t) / 10;
}

/** Name of a validator: the node whose status reported that validator address, else a short address. */
function nameOf(state: WatchState, address: string): string {
  return state.nodes.find((n) => n.validator === address)?.name ?? `${address.slice(0, 10)}…`;
}

function updateNode(state: WatchState, name: string, f: (n: NodeView) => NodeView): NodeView[] {
  return state.nodes.map((n) => (n.name === name ? f(n) : n));
}

function applyConsensus(state: WatchState, view: ConsensusViewJson): WatchState {
  const height = Number(view.height);
  // Follow the most advanced node: a lagging node's view must not pull the screen back.
  if (state.height !== null && height < state.height) return state;
  const rounds = view.rounds.slice(-3);
  return {
    ...state,
    height,
    round: view.round,
    step: view.step,
    rounds: rounds.map((r) => {
      const pv = pct(r.prevotePower, view.totalPower);
      const pc = pct(r.precommitPower, view.totalPower);
      return {
        round: r.round,
        proposal: r.proposal,
        prevotePct: pv,
        precommitPct: pc,
        prevoteQuorum: pv > 200 / 3,
        precommitQuorum: pc > 200 / 3,
      };
    }),
    validators: view.validators.map((v) => ({
      address: v.address,
      name: nameOf(state, v.address),
      power: v.power,
      workWeight: (Number(v.workWeight) / 10_000).toFixed(2),
      rewards: state.rewards[v.address] ?? "–",
      // A validator with a known node is as online as that node; one without a node (external) counts as
      // online only while it votes in the rounds shown (it used to show "online" whatever happened).
      online:
        state.nodes.find((n) => n.validator === v.address)?.online ??
        v.rounds.some((r) => rounds.some((x) => x.round === r.round) && (r.prevote || r.precommit)),
      proposer: v.address === view.proposer,
      slashed: state.penalties[v.address]?.slashed ?? "0",
      votes: rounds.map((r) => {
        const mine = v.rounds.find((x) => x.round === r.round);
        return {
          round: r.round,
          prevote: mark(mine?.prevote ?? null),
          precommit: mark(mine?.precommit ?? null),
        };
      }),
    })),
  };
}

/** Penalties from `/v1/validators`, and the jailed list (names from the chain, not from the nodes). */
function applyValidators(state: WatchState, rows: ValidatorsJson): WatchState {
  const penalties: Record<string, PenaltyMark> = {};
  for (const r of rows)
    penalties[r.address] = {
      jailed: r.jailed,
      tombstoned: r.tombstoned,
      slashed: r.slashed,
      missedBlocks: r.missedBlocks,
    };
  const jailed = rows
    .filter((r) => r.jailed)
    .map((r) => ({ address: r.address, name: r.name, tombstoned: r.tombstoned, slashed: r.slashed }));
  return withPenalties({ ...state, jailed }, penalties);
}

function withPenalties(state: WatchState, penalties: Record<string, PenaltyMark>): WatchState {
  return {
    ...state,
    penalties,
    validators: state.validators.map((v) => ({ ...v, slashed: penalties[v.address]?.slashed ?? v.slashed })),
  };
}

/** Evidence, slash, jail and unjail events: shown at once, before the next `/v1/validators` poll. */
function applySlashingEvent(state: WatchState, e: SlashingEventJson): WatchState {
  const prev = state.penalties[e.validator] ?? NO_PENALTY;
  const name = nameOf(state, e.validator);
  switch (e.type) {
    case "evidence": {
      const same = (x: EvidenceRow) =>
        x.validator === e.validator &&
        x.kind === e.kind &&
        x.height === Number(e.height) &&
        x.round === e.round;
      const committedAt = e.committedAt === undefined ? null : Number(e.committedAt);
      const known = state.evidence.find(same);
      const row: EvidenceRow = {
        validator: e.validator,
        name,
        kind: e.kind,
        height: Number(e.height),
        round: e.round,
        committedAt: committedAt ?? known?.committedAt ?? null,
      };
      const evidence = known
        ? state.evidence.map((x) => (same(x) ? row : x))
        : [row, ...state.evidence].slice(0, MAX_EVIDENCE);
      return { ...state, evidence };
    }
    case "slash": {
      const slashed = (BigInt(prev.slashed) + BigInt(e.amount)).toString();
      return withPenalties(state, { ...state.penalties, [e.validator]: { ...prev, slashed } });
    }
    case "jail": {
      const mark = { ...prev, jailed: true, tombstoned: e.tombstoned };
      const jailed = [
        ...state.jailed.filter((j) => j.address !== e.validator),
        { address: e.validator, name, tombstoned: e.tombstoned, slashed: prev.slashed },
      ];
      return withPenalties({ ...state, jailed }, { ...state.penalties, [e.validator]: mark });
    }
    case "unjail": {
      const jailed = state.jailed.filter((j) => j.address !== e.validator);
      const mark = { ...prev, jailed: false };
      return withPenalties({ ...state, jailed }, { ...state.penalties, [e.validator]: mark });
    }
  }
}

function bucketAdd(series: number[], value: number): number[] {
  return [...series, value].slice(-BUCKETS);
}

export function watchReducer(state: WatchState, action: WatchAction): WatchState {
  if (
    state.paused &&
    action.type !== "key" &&
    action.type !== "message" &&
    action.type !== "offline" &&
    action.type !== "status"
  ) {
    return state;
  }
  switch (action.type) {
    case "status": {
      const s = action.status;
      const nodes = updateNode(state, action.node, (n) => ({
        ...n,
        online: true,
        validator: s.validator,
        height: Number(s.height),
        round: s.consensus.round,
        step: s.consensus.step,
        peers: s.peers,
        mempool: s.mempool.txs,
        lastSeen: action.at,
      }));
      const validators = state.validators.map((v) => ({
        ...v,
        online: nodes.find((n) => n.validator === v.address)?.online ?? v.online,
      }));
      return { ...state, chainId: s.chainId, nodes, validators };
    }
    case "offline": {
      const nodes = updateNode(state, action.node, (n) => ({ ...n, online: false, peers: null }));
      const off = nodes.find((n) => n.name === action.node)?.validator;
      return {
        ...state,
        nodes,
        validators: state.validators.map((v) => (v.address === off ? { ...v, online: false } : v)),
      };
    }
    case "consensus":
      return applyConsensus(state, action.view);
    case "rewards":
      return {
        ...state,
        rewards: action.rewards,
        validators: state.validators.map((v) => ({ ...v, rewards: action.rewards[v.address] ?? v.rewards })),
      };
    case "newBlock": {
      const b = action.block;
      const height = Number(b.height);
      if (state.blocks.some((x) => x.height === height)) return state; // every node reports each block
      const gap = state.lastBlockAt === null ? null : action.at - state.lastBlockAt;
      const row: BlockRow = {
        height,
        hash: b.hash,
        txs: b.txs,
        proposer: nameOf(state, b.proposer),
        latencyMs: b.latencyMs,
        round: b.round,
      };
      return {
        ...state,
        blocks: [row, ...state.blocks].sort((x, y) => y.height - x.height).slice(0, MAX_BLOCKS),
        lastBlockAt: action.at,
        blockRate: gap && gap > 0 ? bucketAdd(state.blockRate, 1000 / gap) : state.blockRate,
        txRate: gap && gap > 0 ? bucketAdd(state.txRate, (b.txs * 1000) / gap) : state.txRate,
      };
    }
    case "validators":
      return applyValidators(state, action.validators);
    case "slashing":
      return applySlashingEvent(state, action.event);
    case "message":
      return { ...state, message: action.text };
    case "key":
      return onKey(state, action.key);
  }
}

function onKey(state: WatchState, key: Extract<WatchAction, { type: "key" }>["key"]): WatchState {
  const node = state.nodes[state.selected]?.name;
  switch (key) {
    case "pause":
      return { ...state, paused: !state.paused, message: state.paused ? null : "paused (p to resume)" };
    case "up":
      return { ...state, selected: Math.max(0, state.selected - 1) };
    case "down":
      return { ...state, selected: Math.min(state.nodes.length - 1, state.selected + 1) };
    case "help":
      return { ...state, help: !state.help };
    case "kill":
    case "start":
    case "restart":
      return node ? { ...state, confirm: { action: key, node }, message: `${key} ${node}? (y/n)` } : state;
    case "confirm":
      return { ...state, confirm: null };
    case "cancel":
      return { ...state, confirm: null, message: null };
  }
}

/** Seconds since the last block, for the header. */
export function sinceLastBlock(state: WatchState, now: number): number | null {
  return state.lastBlockAt === null ? null : Math.max(0, (now - state.lastBlockAt) / 1000);
}

/** Unicode sparkline of a series (empty string for no data). */
export function sparkline(series: number[]): string {
  if (!series.length) return "";
  const bars = "▁▂▃▄▅▆▇█";
  const max = Math.max(...series, 1e-9);
  return series.map((v) => bars[Math.min(7, Math.floor((v / max) * 7.999))]).join("");
}
