/**
 * Message intake of a simulated node: what a real node does with a consensus message from a peer before
 * the engine sees it — stale and far-future messages dropped, near-future ones buffered (bounded per
 * peer), the proposer and the signature checked, a proposal's block re-executed (valid(v)) — and gossip
 * relay of messages their author sent to some peers only.
 */
import { proposerFor, type ValidatorInfo } from "../core/chain/validator-set.js";
import { bytesEqual, toHex } from "../core/codec/index.js";
import { validatorIndex } from "../core/consensus/index.js";
import type { Simulator } from "./simulator.js";
import { requestSync } from "./sync.js";
import type { Msg, MsgMemo, SimNode } from "./types.js";

/** The message's own memo (a fresh one when it has none, or carries a copied one). */
export function memoOf(msg: Msg): MsgMemo {
  let m = msg.memo;
  if (m === undefined || m.owner !== msg) {
    m = { owner: msg };
    msg.memo = m;
  }
  return m;
}

/** Whether any node's holding of `msg` is being tracked (only for messages that get relayed). */
export function holdersKnown(msg: Msg): boolean {
  const m = msg.memo;
  return m !== undefined && m.owner === msg && m.holders !== undefined;
}

export function markHas(sim: Simulator, msg: Msg, node: number): Uint8Array {
  const memo = memoOf(msg);
  memo.holders ??= new Uint8Array(sim.nodes.length);
  memo.holders[node] = 1;
  return memo.holders;
}

/**
 * Gossip relay (the paper's assumption: what one correct process receives, every correct process
 * eventually receives). Honest broadcasts reach everyone directly, so only messages their author sent to
 * some peers (byzantine equivocation halves, withholding) are relayed, once per honest receiver, to the
 * peers that do not hold them — which is also how the twin of an equivocation meets its sibling.
 */
export function relay(sim: Simulator, n: SimNode, msg: Msg): void {
  if (n.behaviours.length || msg.height !== n.engine.height || n.relayed.has(msg)) return;
  n.relayed.add(msg);
  const holders = markHas(sim, msg, n.id);
  sim.stats.relayed++;
  sim.send(n, msg, 0, (p) => holders[p] === 1);
}

export function route(sim: Simulator, n: SimNode, msg: Msg): void {
  const h = n.engine.height;
  if (msg.height < h) {
    sim.stats.stale++;
    return;
  }
  if (msg.height > h) {
    if (msg.height > h + BigInt(sim.config.futureBuffer.window)) {
      sim.stats.futureDropped++;
    } else if (checkSig(sim, n, msg)) {
      const list = n.future.get(msg.from) ?? [];
      n.future.set(msg.from, list);
      if (list.length < sim.config.futureBuffer.perPeer) list.push(msg);
      else sim.stats.futureDropped++;
    }
    // The sender is ahead: it has committed this node's height. Ask it for the blocks (block sync),
    // once per height; a node only slightly late usually decides on its own before the answer comes.
    if (msg.height > n.chain.height + 1n) requestSync(sim, n, msg.from);
    return;
  }
  if (n.engine.step === "commit") {
    sim.stats.late++;
    return;
  }
  if (
    msg.kind === "proposal" &&
    !bytesEqual(proposerFor(n.engine.validators, msg.round).address, msg.signed.proposal.proposer)
  ) {
    sim.stats.wrongProposer++; // only proposer(h, r) may propose: not worth a signature check
    return;
  }
  if (!checkSig(sim, n, msg)) return;
  if (msg.kind === "proposal") {
    const valid = proposalValid(sim, n, msg);
    n.blocks.set(toHex(msg.signed.proposal.blockHash), msg.block);
    sim.feed(n, { event: { type: "proposal", proposal: msg.signed, valid }, block: msg.block });
  } else {
    // PERF: one WAL record per vote message, shared by every receiver (records are never changed).
    const memo = memoOf(msg);
    memo.record ??= { event: { type: "vote", vote: msg.signed } };
    sim.feed(n, memo.record);
  }
}

/** The claimed signer's key in the node's current set (undefined: not a validator, dropped). */
export function keyOf(sim: Simulator, n: SimNode, msg: Msg): Uint8Array | undefined {
  const who = msg.kind === "vote" ? msg.signed.vote.validator : msg.signed.proposal.proposer;
  const set = n.engine.validators;
  const i = validatorIndex(set, who);
  if (i >= 0) return (set.validators[i] as ValidatorInfo).publicKey;
  const j = sim.byAddress.get(toHex(who));
  return j === undefined ? undefined : sim.nodeAt(j).publicKey;
}

/** The key of the validator a message claims to be from (by address), if it is one of the nodes. */
export function claimedKey(sim: Simulator, msg: Msg): Uint8Array | undefined {
  const who = msg.kind === "vote" ? msg.signed.vote.validator : msg.signed.proposal.proposer;
  const j = sim.byAddress.get(toHex(who));
  return j === undefined ? undefined : sim.nodeAt(j).publicKey;
}

/**
 * The message's signature verdict, checked once per message under the claimed signer's key in the first
 * receiver's validator set (every receiver of a height has the same set).
 */
export function checkSig(sim: Simulator, n: SimNode, msg: Msg): boolean {
  const memo = memoOf(msg);
  memo.signatureOk ??= sim.glue.checkMessage(msg, keyOf(sim, n, msg));
  if (memo.signatureOk) return true;
  sim.stats.badSignatures++;
  return false;
}

export function proposalValid(sim: Simulator, n: SimNode, msg: Extract<Msg, { kind: "proposal" }>): boolean {
  const block = msg.block;
  if (sim.glue.hashHexOf(block) !== toHex(msg.signed.proposal.blockHash)) return false;
  const drift = n.chain.params.maxTimeDriftMs;
  if (Number(block.header.time) > sim.world.genesisMs + sim.now + drift) return false;
  const r = sim.glue.execute(n.chain, block);
  if (typeof r === "string") sim.stats.invalidBlocks++;
  return typeof r !== "string";
}
