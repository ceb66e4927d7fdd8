/**
 * WAL replay (DESIGN.md §4): turns the consensus WAL of the height being resumed into the engine events
 * that rebuild the node's round state, in the order they were consumed. Records in, events out; the
 * driver feeds them to the engine before it takes any step of its own (issue 24 item 6).
 *
 * The node's own signed proposal and votes in the WAL are marked `own`: the driver treats them as already
 * signed (the engine's matching propose/vote effects are not signed again) and re-sends them to peers.
 */
import { type Block, decodeBlock, hashBlock } from "../core/chain/block.js";
import { bytesEqual, encode } from "../core/codec/index.js";
import type { ConsensusEffect, ConsensusEvent } from "../core/consensus/index.js";
import { MSG, ProposalMsgCodec, VoteMsgCodec } from "./messages.js";
import type { WalRecord } from "./wal-records.js";

/** A message this node signed, from the WAL: re-sent to peers; `key` says which engine effect it answers. */
export interface OwnMessage {
  key: string;
  type: number;
  payload: Uint8Array;
}

export interface ReplayItem {
  event: ConsensusEvent;
  /** The block a proposal or valueReady carries: validated and cached before the event. */
  block?: { block: Block; bytes: Uint8Array };
  own?: OwnMessage;
}

/** Identifies one signing slot (height, round, step): an own message and the effect it answers share it. */
export const ownKey = (height: bigint, round: number, step: string) => `${height}/${round}/${step}`;

/**
 * The replay of `records` for `height`, or null when the WAL belongs to another height (it is then
 * discarded: a committed height's inputs are not needed). `self` is this node's validator address.
 * @throws CodecError on a record whose block does not decode (the WAL checksum makes that corruption).
 */
export function planWalReplay(
  records: WalRecord[],
  height: bigint,
  self: Uint8Array | null,
): ReplayItem[] | null {
  const first = records[0];
  if (first?.type !== "height" || first.value.height !== height) return null;
  const mine = (a: Uint8Array) => self !== null && bytesEqual(a, self);
  const items: ReplayItem[] = [];
  for (const r of records.slice(1)) {
    switch (r.type) {
      case "proposal": {
        const block = decodeBlock(r.value.block);
        const p = r.value.proposal;
        const item: ReplayItem = {
          event: { type: "proposal", proposal: p, valid: r.value.valid },
          block: { block, bytes: r.value.block },
        };
        if (mine(p.proposal.proposer))
          item.own = {
            key: ownKey(p.proposal.height, p.proposal.round, "proposal"),
            type: MSG.proposal,
            payload: encode(ProposalMsgCodec, { proposal: p, block: r.value.block }),
          };
        items.push(item);
        break;
      }
      case "vote": {
        const v = r.value.vote;
        const item: ReplayItem = { event: { type: "vote", vote: r.value } };
        if (mine(v.validator))
          item.own = {
            key: ownKey(v.height, v.round, v.type),
            type: MSG.vote,
            payload: encode(VoteMsgCodec, r.value),
          };
        items.push(item);
        break;
      }
      case "timeout":
        items.push({ event: { type: "timeout", ...r.value } });
        break;
      case "valueReady": {
        const block = decodeBlock(r.value.block);
        items.push({
          event: {
            type: "valueReady",
            height: r.value.height,
            round: r.value.round,
            blockHash: hashBlock(block),
          },
          block: { block, bytes: r.value.block },
        });
        break;
      }
      case "height":
        break;
    }
  }
  return items;
}

/** What a replay leaves to do: signing the WAL does not show as done, and a proposal still to build. */
export interface ReplayLeftover {
  effects: ConsensusEffect[];
  value: { height: bigint; round: number } | null;
}

export type Replayer = ReturnType<typeof createReplayer>;

/**
 * The driver's replay mode. While `active`, the engine's signing and block-building effects are held
 * (`hold`) instead of run; each replayed own message releases the effect it answers (its signing slot is
 * done: never signed again, even with the signer state lost). `finish` returns what is left.
 */
export function createReplayer() {
  let active = false;
  const held = new Map<string, ConsensusEffect>();
  const signed = new Set<string>();
  let value: { height: bigint; round: number } | null = null;

  return {
    get active(): boolean {
      return active;
    },
    begin(): void {
      active = true;
    },
    /** True when `e` is held back (replay is on and it signs or builds). */
    hold(e: ConsensusEffect): boolean {
      if (!active) return false;
      if (e.type === "requestValue") value = { height: e.height, round: e.round };
      else if (e.type === "propose" || e.type === "vote") {
        const m = e.type === "propose" ? e.proposal : e.vote;
        const key = ownKey(m.height, m.round, e.type === "propose" ? "proposal" : e.vote.type);
        if (!signed.has(key)) held.set(key, e);
      } else return false;
      return true;
    },
    /** Notes what `item` settles, before it is dispatched. */
    note(item: ReplayItem): void {
      if (item.own) {
        signed.add(item.own.key);
        held.delete(item.own.key);
        if (item.event.type === "proposal") value = null;
      }
      if (item.event.type === "valueReady") value = null;
    },
    finish(): ReplayLeftover {
      active = false;
      const left = { effects: [...held.values()], value };
      held.clear();
      signed.clear();
      value = null;
      return left;
    },
  };
}
