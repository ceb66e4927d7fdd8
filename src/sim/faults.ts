/** Scenario faults: crashes, restarts (WAL replay), partitions, link changes, byzantine switches. */
import { createConsensusState } from "../core/consensus/index.js";
import type { Fault } from "./config.js";
import type { Simulator } from "./simulator.js";
import { requestSync } from "./sync.js";

export function onHeight(sim: Simulator, height: number): void {
  if (sim.firedHeights.has(height)) return;
  sim.firedHeights.add(height);
  sim.config.faults.forEach((f, index) => {
    if ("height" in f.at && f.at.height === height) sim.schedule({ at: sim.now, type: "fault", index });
  });
}

export function applyFault(sim: Simulator, f: Fault): void {
  sim.stats.faults++;
  sim.dirty = true;
  sim.emit({ type: "fault", at: sim.now, text: describeFault(f) });
  switch (f.kind) {
    case "crash":
      for (const i of f.nodes) crash(sim, i);
      return;
    case "restart":
      for (const i of f.nodes) restart(sim, i);
      return;
    case "partition":
      sim.net.partition(f.groups);
      return;
    case "heal":
      sim.net.heal();
      return;
    case "links":
      sim.net.setModel(f.links);
      return;
    case "byzantine":
      for (const i of f.nodes) sim.nodeAt(i).behaviours = f.behaviours;
      return;
    case "honest":
      for (const i of f.nodes) sim.nodeAt(i).behaviours = [];
      return;
  }
}

export function crash(sim: Simulator, i: number): void {
  const n = sim.nodeAt(i);
  if (!n.alive) return;
  n.alive = false;
  n.incarnation++;
  n.syncing = false;
  sim.stats.crashes++;
  sim.emit({ type: "offline", node: `v${i}`, at: sim.now });
}

/**
 * Restart: the chain and the signer state are on disk; the engine starts fresh at the next height and
 * the consensus WAL of that height is replayed, so a node never forgets a lock (no amnesia). Then it asks
 * a peer for blocks it missed.
 */
export function restart(sim: Simulator, i: number): void {
  const n = sim.nodeAt(i);
  if (n.alive) return;
  n.alive = true;
  n.future = new Map();
  const height = n.chain.height + 1n;
  const wal = n.wal;
  const walHeight = n.walHeight;
  n.replay = walHeight === height ? wal : null;
  n.engine = createConsensusState({
    height,
    validators: n.chain.validatorSet,
    self: n.address,
    timeouts: n.chain.params.timeouts,
  });
  sim.startHeight(n, height);
  if (walHeight === height) {
    sim.stats.walReplayed += wal.length;
    for (const rec of wal) {
      if (rec.event.type === "newHeight") continue;
      sim.feed(n, rec);
    }
  }
  n.replay = null;
  sim.stats.restarts++;
  const peers = sim.nodes.filter((p) => p.id !== i && p.alive && sim.net.connected(i, p.id));
  if (peers.length) requestSync(sim, n, sim.rng.pick(peers).id);
}

export function describeFault(f: Fault): string {
  const at = "timeMs" in f.at ? `t=${f.at.timeMs}ms` : `height ${f.at.height}`;
  const nodes = (l: number[]) => l.map((i) => `v${i}`).join(",");
  switch (f.kind) {
    case "crash":
    case "restart":
    case "honest":
      return `${at}: ${f.kind} ${nodes(f.nodes)}`;
    case "byzantine":
      return `${at}: byzantine ${nodes(f.nodes)} (${f.behaviours.map((b) => b.kind).join(", ")})`;
    case "partition":
      return `${at}: partition ${f.groups.map((g) => `[${nodes(g)}]`).join(" | ")}`;
    case "heal":
      return `${at}: heal`;
    case "links":
      return `${at}: links ${JSON.stringify(f.links)}`;
  }
}
