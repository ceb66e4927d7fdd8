/** Block sync between simulated nodes: a node behind asks a peer for the blocks it lacks, checks each commit. */
import type { Block, Commit } from "../core/chain/index.js";
import { record } from "./decide.js";
import type { Simulator } from "./simulator.js";
import type { SimNode } from "./types.js";

/** Asks `peer` for the blocks this node lacks: one request in flight, at most one per gossip interval. */
export function requestSync(sim: Simulator, n: SimNode, peer: number): void {
  if (n.syncing || sim.now < n.nextSyncAt) return;
  n.syncing = true;
  n.nextSyncAt = sim.now + sim.config.gossipMs;
  sim.stats.syncRequests++;
  sim.schedule({
    at: sim.now + sim.net.delay(n.id, peer),
    type: "syncReq",
    to: peer,
    from: n.id,
    height: n.chain.height + 1n,
  });
}

export function serveSync(sim: Simulator, server: number, client: number, from: bigint): void {
  const s = sim.nodeAt(server);
  const c = sim.nodeAt(client);
  if (!s.alive || !sim.net.connected(server, client)) {
    c.syncing = false;
    return;
  }
  const items = s.history.from(Number(from) - 1);
  sim.schedule({
    at: sim.now + sim.net.delay(server, client),
    type: "syncResp",
    to: client,
    from: server,
    items,
  });
}

export function applySync(sim: Simulator, n: SimNode, items: { block: Block; commit: Commit }[]): void {
  n.syncing = false;
  if (!n.alive) return;
  let applied = 0;
  for (const { block, commit } of items) {
    if (block.header.height !== n.chain.height + 1n) continue;
    if (!sim.glue.commitValid(n.chain, block, commit)) break;
    const r = sim.glue.execute(n.chain, block);
    if (typeof r === "string") break;
    record(sim, n, block, commit, commit.round, true, r.penalties);
    n.chain = r.state;
    sim.dirty = true;
    n.lastCommit = commit;
    applied++;
  }
  if (applied) {
    sim.stats.synced += applied;
    n.incarnation++; // timers of the abandoned height are void
    sim.startHeight(n, n.chain.height + 1n);
  }
}
