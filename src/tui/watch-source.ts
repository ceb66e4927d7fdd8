/**
 * Feeds `fastpos watch`: polls every node's `/v1/status` and `/v1/consensus` and listens to its `/v1/events`,
 * turning everything into reducer actions. A node that stops answering becomes `offline`; it is polled and
 * re-subscribed until it comes back.
 */
import { createClient } from "../client/client.js";
import type { EventSubscription } from "../client/events.js";
import type { NodeEventJson } from "../core/api/contract.js";
import type { WatchAction } from "./watch-reducer.js";

export interface WatchTarget {
  name: string;
  url: string;
  /** The 0x validator address this node runs, when known (devnet.json): names it before it answers. */
  validator?: string;
}

/**
 * Withdrawable rewards of every validator's operator (product layer), from the first node that answers:
 * one `/v1/validators` and one `/v1/rewards/:operator` per validator.
 */
export async function pollRewards(
  clients: ReturnType<typeof createClient>[],
  dispatch: (a: WatchAction) => void,
): Promise<void> {
  for (const client of clients) {
    try {
      const { validators } = await client.validators();
      const rewards: Record<string, string> = {};
      await Promise.all(
        validators.map(async (v) => {
          rewards[v.address] = (await client.rewards(v.operator)).total;
        }),
      );
      dispatch({ type: "rewards", rewards });
      return;
    } catch {
      // try the next node
    }
  }
}

/** One poll of every node (for `watch --once`), without subscribing to events. */
export async function pollAll(
  targets: WatchTarget[],
  dispatch: (a: WatchAction) => void,
  now = () => Date.now(),
): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      const client = createClient({ url: t.url, timeoutMs: 1500 });
      try {
        const [status, view] = await Promise.all([client.status(), client.consensus()]);
        dispatch({ type: "status", node: t.name, at: now(), status });
        dispatch({ type: "consensus", node: t.name, at: now(), view });
        if (t === targets[0]) await pollValidators(client, dispatch, now);
      } catch {
        dispatch({ type: "offline", node: t.name, at: now() });
      }
    }),
  );
  await pollRewards(
    targets.map((t) => createClient({ url: t.url, timeoutMs: 1500 })),
    dispatch,
  );
}

/** Jail, tombstone and slashed amounts of every validator, from one node (the chain's state is shared). */
async function pollValidators(
  client: ReturnType<typeof createClient>,
  dispatch: (a: WatchAction) => void,
  now: () => number,
): Promise<void> {
  const v = await client.validators();
  dispatch({ type: "validators", at: now(), validators: v.validators });
}

export function startWatchSource(
  targets: WatchTarget[],
  dispatch: (a: WatchAction) => void,
  opts: {
    intervalMs?: number;
    now?: () => number;
    /** Every event of every node as received (the NDJSON stream of `watch --json`). */
    raw?: (node: string, event: NodeEventJson) => void;
  } = {},
): { stop(): void; pollOnce(): Promise<void> } {
  const now = opts.now ?? (() => Date.now());
  const clients = targets.map((t) => ({ ...t, client: createClient({ url: t.url, timeoutMs: 800 }) }));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polls = 0;

  async function pollOnce(): Promise<void> {
    // PERF: validators (slashing marks) every 8th poll (~2 s), from the first node that answers.
    const withValidators = polls++ % 8 === 0;
    let validatorsDone = !withValidators;
    await Promise.all(
      clients.map(async (t) => {
        try {
          const [status, view] = await Promise.all([t.client.status(), t.client.consensus()]);
          if (stopped) return;
          dispatch({ type: "status", node: t.name, at: now(), status });
          dispatch({ type: "consensus", node: t.name, at: now(), view });
          if (!validatorsDone) {
            validatorsDone = true;
            await pollValidators(t.client, dispatch, now);
          }
        } catch {
          if (!stopped) dispatch({ type: "offline", node: t.name, at: now() });
        }
      }),
    );
  }

  const subs: EventSubscription[] = [];
  let rewardPolls = 0;
  const loop = async () => {
    if (stopped) return;
    await pollOnce();
    // PERF: rewards change once per epoch at most; every 8th poll (~2 s) is plenty.
    if (rewardPolls++ % 8 === 0 && !stopped)
      await pollRewards(
        clients.map((c) => c.client),
        (a) => stopped || dispatch(a),
      );
    if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 250);
  };

  for (const t of clients) {
    subs.push(
      t.client.events({
        onEvent: (e) => {
          opts.raw?.(t.name, e);
          if (e.type === "evidence" || e.type === "slash" || e.type === "jail" || e.type === "unjail") {
            dispatch({ type: "slashing", at: now(), event: e });
            return;
          }
          if (e.type !== "newBlock") return;
          const { height, hash, txs, proposer, latencyMs, round } = e;
          dispatch({
            type: "newBlock",
            node: t.name,
            at: now(),
            block: { height, hash, txs, proposer, latencyMs, round },
          });
        },
      }),
    );
  }
  void loop();

  return {
    pollOnce,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const s of subs) s.close();
    },
  };
}
