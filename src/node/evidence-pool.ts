/**
 * The evidence pool (DESIGN.md §4, issue 15): duplicate votes and conflicting proposals this node detected or
 * a peer gossiped, waiting to be carried in a block by whichever validator proposes next.
 *
 * - De-duplicated by infraction (validator, height, round, type): (a, b) and (b, a) are one item.
 * - Bounded (MAX_PENDING items), each checked before it is kept, so a peer cannot fill it with junk.
 * - Persisted: the whole pool is one LevelDB meta entry, rewritten when it changes (it is small and changes
 *   rarely), so evidence survives a restart.
 * - Pruned after every block of what can no longer be carried: committed, expired (older than
 *   `evidenceMaxAgeBlocks`), about a validator now tombstoned or unknown. A block this node proposes is
 *   built only from items valid against the state it builds on, so proposals never stall on stale items.
 */
import { evidenceKeyOf, validateEvidence, validatePendingEvidence } from "../core/chain/apply/evidence.js";
import { EvidenceError } from "../core/chain/errors.js";
import type { State } from "../core/chain/state.js";
import { type Evidence, EvidenceCodec } from "../core/chain/vote.js";
import { decode, encode, toHex, vector } from "../core/codec/index.js";

/** Most items kept waiting (a block carries at most params.maxBlockEvidence of them). */
export const MAX_PENDING = 256;
/** The LevelDB meta entry holding the pool. */
export const EVIDENCE_POOL_META = "evidencePool";
const PoolCodec = vector(EvidenceCodec, MAX_PENDING);

/** One key per infraction. */
export function evidenceKey(e: Evidence): string {
  const k = evidenceKeyOf(e);
  return `${toHex(k.validator)}/${k.height}/${k.round}/${k.type}`;
}

/**
 * Codes that prove a gossiped item was made up or mangled by whoever sent it (ban): an honest node only
 * gossips what passed validatePendingEvidence. Other codes (committed, expired, tombstoned, future) can be
 * honest races between peers at different heights, so they are only dropped.
 */
export const FORGED_EVIDENCE_CODES: readonly string[] = [
  "EVIDENCE_NOT_CONFLICTING",
  "EVIDENCE_BAD_SIGNATURE",
  "EVIDENCE_UNKNOWN_VALIDATOR",
];

/** Where the pool persists itself (the node's store meta entries). */
export interface EvidencePoolStore {
  getMeta(name: string): Promise<Uint8Array | undefined>;
  putMeta(name: string, value: Uint8Array): Promise<void>;
}

/** What `add` did with an item. */
export type AddResult =
  | { kind: "added" }
  | { kind: "known" }
  | { kind: "full" }
  | { kind: "invalid"; error: EvidenceError };

export type EvidencePool = Awaited<ReturnType<typeof openEvidencePool>>;

/**
 * Opens the pool persisted in `store`, keeping only the items still valid against `state`.
 * `onError` hears about failed writes (the pool stays usable in memory).
 */
export async function openEvidencePool(
  store: EvidencePoolStore | null,
  state: State,
  onError: (err: unknown) => void = () => {},
) {
  const pending = new Map<string, Evidence>();
  let writing: Promise<void> = Promise.resolve();

  function persist(): void {
    if (!store) return;
    const bytes = encode(PoolCodec, [...pending.values()]);
    writing = writing.then(() => store.putMeta(EVIDENCE_POOL_META, bytes)).catch(onError);
  }

  /** Keeps `e` if it is new, fits, and is (or will be once its height commits) valid on `state`. */
  function add(e: Evidence, state: State): AddResult {
    const key = evidenceKey(e);
    if (pending.has(key)) return { kind: "known" };
    try {
      validatePendingEvidence(state, e);
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
      return { kind: "invalid", error: err };
    }
    if (pending.size >= MAX_PENDING) return { kind: "full" };
    pending.set(key, e);
    return { kind: "added" };
  }

  /** Drops every item that can never be carried on top of `state` (the EVIDENCE_FUTURE ones wait). */
  function prune(state: State): number {
    let dropped = 0;
    for (const [key, e] of pending) {
      try {
        validatePendingEvidence(state, e);
      } catch (err) {
        if (!(err instanceof EvidenceError)) throw err;
        pending.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  const raw = store ? await store.getMeta(EVIDENCE_POOL_META) : undefined;
  if (raw) {
    try {
      for (const e of decode(PoolCodec, raw)) add(e, state);
    } catch (err) {
      onError(err); // an unreadable pool is dropped: evidence is re-detected or re-gossiped
    }
  }

  return {
    /** Adds evidence detected here or received from a peer, and persists the pool if it changed. */
    add(e: Evidence, state: State): AddResult {
      const r = add(e, state);
      if (r.kind === "added") persist();
      return r;
    },

    /**
     * What a block built on `state` carries: items valid on it now, in arrival order, within the chain's
     * `maxBlockEvidence` and `maxBlockEvidenceBytes` (buildBlock enforces both again).
     */
    forBlock(state: State): Evidence[] {
      const out: Evidence[] = [];
      let bytes = 0;
      for (const e of pending.values()) {
        if (out.length >= state.params.maxBlockEvidence) break;
        try {
          validateEvidence(state, e);
        } catch (err) {
          if (!(err instanceof EvidenceError)) throw err;
          continue; // pruned after the next block if it can never be carried
        }
        const size = encode(EvidenceCodec, e).length;
        if (bytes + size > state.params.maxBlockEvidenceBytes) break;
        bytes += size;
        out.push(e);
      }
      return out;
    },

    /** A block was committed on top of which `state` is: drop its evidence and whatever expired with it. */
    onCommitted(evidence: readonly Evidence[], state: State): void {
      let changed = false;
      for (const e of evidence) changed = pending.delete(evidenceKey(e)) || changed;
      if (prune(state) > 0) changed = true;
      if (changed) persist();
    },

    /** Items waiting, in arrival order. */
    list(): Evidence[] {
      return [...pending.values()];
    },

    /** Resolves once every write so far reached the store. */
    flush(): Promise<void> {
      return writing;
    },

    get size(): number {
      return pending.size;
    },
  };
}
