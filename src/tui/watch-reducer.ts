/**
 * `fastpos watch` view state as a pure reducer (STYLE.md "Ink behind a render function, state in a pure
 * reducer"): node statuses, consensus views and events in; everything the screen shows out. Time enters as
 * `at` (ms) on each action, so tests replay recorded sequences deterministically.
 */
import type { ConsensusView, EventJsonOf, NodeStatus, VoteValueJson } from "../core/api/contract.js";
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

export type WatchAction =
  | { type: "status"; node: string; at: number; status: StatusJson }
  | { type: "offline"; node: string; at: number }
  | { type: "consensus"; node: string; at: number; view: ConsensusViewJson }
  | { type: "newBlock"; node: string; at: number; block: NewBlockJson }
  | {
      type: "key";
      key: "pause" | "up" | "down" | "help" | "kill" | "start" | "restart" | "confirm" | "cancel";
    }
  | { type: "message"; text: string | null }
  | { type: "rewards"; rewards: Record<string, string> };

const BUCKETS = 30;
const MAX_BLOCKS = 8;

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
