import { type EventSubscription, subscribeEvents } from "../../client/events.js";
import type { NodeEventJson } from "../../core/api/events.js";

/**
 * What every node said on its event stream (`/v1/events`: newBlock, vote, evidence) during a scenario:
 * the raw material of the invariants. Subscriptions reconnect by themselves, so a node that is killed and
 * restarted keeps reporting. A vote event is a vote whose signature that node verified, so two different
 * values for one (validator, height, round, type) anywhere are a real double vote.
 */
export interface VoteRecord {
  validator: string;
  height: string;
  round: number;
  voteType: string;
  /** Block hash, or "nil". */
  value: string;
  /** The node whose stream reported it first. */
  node: string;
}

export interface EventData {
  /** Per node: height → block hash it announced in newBlock. */
  blocks: Map<string, Map<string, string>>;
  /** Tx hash → first height and node a newBlock reported it in. */
  finalizedTxs: Map<string, { height: string; node: string }>;
  /** `validator/height/round/type` → distinct values seen. */
  votes: Map<string, VoteRecord[]>;
  evidence: { node: string; height: string; validator: string }[];
  /** Each node's new highest heights with when it announced them (ms, performance clock), in order. */
  progress: Map<string, { height: bigint; at: number }[]>;
}

/** When `node` first announced a height ≥ `target` (performance clock), or undefined. */
export function reachedAt(data: EventData, node: string, target: bigint): number | undefined {
  return data.progress.get(node)?.find((p) => p.height >= target)?.at;
}

export interface EventCollector {
  data: EventData;
  /** Starts listening to one more node (a validator added mid-scenario). */
  watch(node: { name: string; apiUrl: string }): void;
  close(): void;
}

export function createEventCollector(nodes: { name: string; apiUrl: string }[]): EventCollector {
  const data: EventData = {
    blocks: new Map(),
    finalizedTxs: new Map(),
    votes: new Map(),
    evidence: [],
    progress: new Map(),
  };
  const subs: EventSubscription[] = [];
  const onEvent = (node: string, e: NodeEventJson) => {
    switch (e.type) {
      case "newBlock": {
        const m = data.blocks.get(node) ?? new Map<string, string>();
        data.blocks.set(node, m);
        m.set(e.height, e.hash);
        const h = BigInt(e.height);
        const p = data.progress.get(node) ?? [];
        data.progress.set(node, p);
        if (h > (p.at(-1)?.height ?? -1n)) p.push({ height: h, at: performance.now() });
        for (const tx of e.txHashes)
          if (!data.finalizedTxs.has(tx)) data.finalizedTxs.set(tx, { height: e.height, node });
        return;
      }
      case "vote": {
        const key = `${e.validator}/${e.height}/${e.round}/${e.voteType}`;
        const value = e.blockHash ?? "nil";
        const seen = data.votes.get(key) ?? [];
        if (!seen.some((v) => v.value === value)) {
          seen.push({
            validator: e.validator,
            height: e.height,
            round: e.round,
            voteType: e.voteType,
            value,
            node,
          });
          data.votes.set(key, seen);
        }
        return;
      }
      case "evidence":
        data.evidence.push({ node, height: e.height, validator: e.validator });
        return;
      default:
        return;
    }
  };
  const watch = (n: { name: string; apiUrl: string }) => {
    subs.push(
      subscribeEvents(n.apiUrl, {
        types: ["newBlock", "vote", "evidence"],
        onEvent: (e) => onEvent(n.name, e),
      }),
    );
  };
  for (const n of nodes) watch(n);
  return {
    data,
    watch,
    close: () => {
      for (const s of subs) s.close();
    },
  };
}
