/**
 * Committing a decided (or synced) block (DESIGN.md §5): the block, its commit, tx index, state changes and
 * the new height go to the store in ONE atomic batch; then the mempool drops what the block used, and
 * metrics and the `newBlock` event report it. The caller switches its state only after this resolves, so a
 * crash mid-way leaves the node at the previous height with nothing half-written.
 */
import type { EventOf } from "../core/api/events.js";
import type { AppliedBlock } from "../core/chain/apply/block.js";
import { evidenceKeyOf } from "../core/chain/apply/evidence.js";
import { readIndex } from "../core/chain/apply/staking-store.js";
import type { Block } from "../core/chain/block.js";
import { readSlashingInfo } from "../core/chain/slashing-state.js";
import { getAccount, getValidator, type State, VALIDATOR_INDEX_KEY } from "../core/chain/state.js";
import { hashTx, type Tx } from "../core/chain/tx.js";
import { type Commit, CommitCodec } from "../core/chain/vote.js";
import { encode, fromHex, toHex } from "../core/codec/index.js";
import { addressBytes } from "../core/crypto/index.js";
import { chainMeta } from "./chain-state.js";
import type { Mempool } from "./mempool.js";
import type { Metrics } from "./metrics.js";
import type { Store } from "./store.js";

export interface CommitDeps {
  store: Pick<Store, "commitBlock">;
  mempool: Mempool<Tx>;
  metrics: Pick<
    Metrics,
    | "height"
    | "txsCommitted"
    | "blockTxs"
    | "finalityLatency"
    | "votesMissed"
    | "evidenceCommitted"
    | "missedBlocks"
    | "jailedValidators"
    | "slashedTokens"
  >;
  publish: (event: EventOf<"newBlock" | "evidence" | "slash" | "jail" | "unjail">) => void;
}

export interface BlockToCommit {
  block: Block;
  bytes: Uint8Array;
  applied: AppliedBlock;
  commit: Commit;
  /** When this node started the height (monotonic ms), for the finality-latency metric. */
  startedAt: number;
  now: number;
}

/** Persists `b` atomically, then rechecks the mempool and reports it. Resolves to the new state. */
export async function commitBlock(deps: CommitDeps, b: BlockToCommit): Promise<State> {
  const { block, applied, commit } = b;
  const hashes = block.txs.map((t) => hashTx(t));
  await deps.store.commitBlock({
    height: block.header.height,
    hash: applied.hash,
    block: b.bytes,
    commit: encode(CommitCodec, commit),
    txs: hashes.map((hash, index) => ({ hash, index })),
    state: applied.changes,
    meta: chainMeta(applied.state),
  });
  const state = applied.state;
  const hex = hashes.map((h) => toHex(h));
  recheckMempool(deps.mempool, state, block.txs, hex);
  const m = deps.metrics;
  m.height.set(Number(state.height));
  m.txsCommitted.inc(block.txs.length);
  m.blockTxs.observe(block.txs.length);
  const seconds = (b.now - b.startedAt) / 1000;
  m.finalityLatency.observe(seconds);
  const signed = new Set(commit.signatures.map((s) => toHex(s.validator)));
  for (const v of state.lastValidatorSet.validators) {
    const id = toHex(v.address);
    if (!signed.has(id)) m.votesMissed.inc({ validator: id.slice(0, 10) });
  }
  deps.publish({
    type: "newBlock",
    height: state.height,
    hash: toHex(applied.hash),
    time: block.header.time,
    txs: block.txs.length,
    txHashes: hex.slice(0, 20_000),
    proposer: toHex(block.header.proposer),
    round: commit.round,
    signers: [...signed],
    latencyMs: Math.round(seconds * 1000),
  });
  reportSlashing(deps, block, applied);
  return state;
}

/**
 * The block's evidence, penalties and unjails as events and metrics (issue 15), read from what applyBlock
 * returned, not by diffing state; missed blocks and the jailed count from the new state.
 */
function reportSlashing(deps: CommitDeps, block: Block, applied: AppliedBlock): void {
  const { state } = applied;
  const height = state.height;
  const m = deps.metrics;
  for (const e of block.evidence) {
    const k = evidenceKeyOf(e);
    m.evidenceCommitted.inc({ kind: k.type });
    const at = { height: k.height, round: k.round, kind: k.type, validator: toHex(k.validator) };
    deps.publish({ type: "evidence", ...at, status: "committed", committedAt: height });
  }
  for (const p of applied.penalties) {
    const validator = toHex(p.validator);
    const base = { height, validator, reason: p.reason };
    if (p.burned > 0n) m.slashedTokens.inc({ reason: p.reason }, Number(p.burned));
    deps.publish({ type: "slash", ...base, infractionHeight: p.infractionHeight, amount: p.burned });
    const jailedUntil = p.tombstoned ? null : p.jailedUntil;
    deps.publish({ type: "jail", ...base, jailedUntil, tombstoned: p.tombstoned });
  }
  for (const tx of block.txs) {
    const payload = tx.body.payload;
    if (payload.type === "unjail")
      deps.publish({ type: "unjail", height, validator: toHex(payload.value.validator) });
  }
  for (const v of state.validatorSet.validators) {
    const missed = readSlashingInfo(state.tree, v.address).missed;
    m.missedBlocks.set({ validator: toHex(v.address).slice(0, 10) }, missed);
  }
  let jailed = 0;
  for (const address of readIndex(state.tree, VALIDATOR_INDEX_KEY))
    if (getValidator(state, address)?.status === "jailed") jailed++;
  m.jailedValidators.set(jailed);
}

/**
 * Drops the block's txs and whatever they made invalid. Only the block's senders used nonces, so their
 * pending txs are the only ones it can affect.
 */
function recheckMempool(mempool: Mempool<Tx>, state: State, txs: Tx[], hashes: string[]): void {
  const included = new Set(hashes);
  const senders = txs.map(
    (t, i) => mempool.senderOf(hashes[i] as string) ?? toHex(addressBytes(t.body.from)).slice(2),
  );
  mempool.recheck(
    (sender) => getAccount(state, fromHex(sender, 20)).nonce,
    (_tx, hash) => !included.has(hash),
    senders,
  );
}
