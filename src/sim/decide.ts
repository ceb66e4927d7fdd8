/** A node's decision: the block applied to its chain, and the safety checks run at every commit. */
import type { Block, Commit, Penalty } from "../core/chain/index.js";
import type { ValidatorInfo } from "../core/chain/validator-set.js";
import { toHex } from "../core/codec/index.js";
import { validatorIndex } from "../core/consensus/index.js";
import { onHeight } from "./faults.js";
import type { Simulator } from "./simulator.js";
import type { SimNode } from "./types.js";
import { consensusView } from "./view.js";

export function commit(
  sim: Simulator,
  n: SimNode,
  height: bigint,
  round: number,
  hash: string,
  commit: Commit,
): void {
  const block = n.blocks.get(hash);
  const r = block ? sim.glue.execute(n.chain, block) : "BLOCK_UNKNOWN";
  if (!block || typeof r === "string") {
    sim.violation(
      `node v${n.id} decided ${hash.slice(0, 18)}… at height ${height} but cannot apply it (${r})`,
    );
    return;
  }
  record(sim, n, block, commit, round, false, r.penalties);
  n.chain = r.state;
  sim.dirty = true;
  n.lastCommit = commit;
  sim.schedule({
    at: sim.now + n.chain.params.timeouts.commitWait,
    type: "newHeight",
    to: n.id,
    inc: n.incarnation,
    height: height + 1n,
  });
}

/** Safety check and statistics for one committed block on one node. */
export function record(
  sim: Simulator,
  n: SimNode,
  block: Block,
  commit: Commit,
  round: number,
  synced: boolean,
  penalties: readonly Penalty[],
): void {
  const height = block.header.height;
  const hash = sim.glue.hashHexOf(block);
  n.history.push(block, commit);
  const prev = sim.decisions.get(height);
  if (prev === undefined) {
    sim.decisions.set(height, hash);
    sim.load.remove(block.txs);
    sim.load.committed += block.txs.length;
    for (const p of penalties) sim.stats.penalty(height, p);
    sim.stats.firstCommit(
      height,
      sim.now,
      round,
      block,
      sim.byAddress.get(toHex(block.header.proposer)) ?? -1,
    );
    if (sim.trace && !synced)
      sim.emit({ type: "consensus", node: `v${n.id}`, at: sim.now, view: consensusView(n) });
    if (sim.trace)
      sim.emit({
        type: "newBlock",
        node: `v${n.id}`,
        at: sim.now,
        block: {
          height: height.toString(),
          hash,
          txs: block.txs.length,
          proposer: toHex(block.header.proposer),
          latencyMs: sim.now - n.heightStart,
          round,
        },
      });
    onHeight(sim, Number(height));
  } else if (prev !== hash) {
    sim.violation(
      `two blocks at height ${height}: ${prev.slice(0, 18)}… and ${hash.slice(0, 18)}… (node v${n.id})`,
    );
  }
  // A commit must carry >2/3 of the power of the set that decided it.
  const set = n.chain.validatorSet;
  let power = 0n;
  for (const s of commit.signatures) {
    const i = validatorIndex(set, s.validator);
    if (i >= 0) power += (set.validators[i] as ValidatorInfo).power;
  }
  if (3n * power <= 2n * set.totalPower) sim.violation(`weak commit at height ${height} on node v${n.id}`);
  if (!synced) sim.stats.commitLatency(sim.now - n.heightStart);
  // The trace lines are only built when a trace is written (PERF: 100 nodes commit every height).
  if (sim.trace)
    sim.emit({
      type: "status",
      node: `v${n.id}`,
      at: sim.now,
      status: {
        chainId: sim.world.genesis.chainId,
        height: height.toString(),
        peers: sim.nodes.length - 1,
        validator: n.addressHex,
        consensus: { round, step: "commit" },
        mempool: { txs: sim.load.pool.length },
      },
    });
}
