import type { Block, Commit } from "../core/chain/index.js";
import type { ValidatorSet } from "../core/chain/validator-set.js";
import { bytesEqual, toHex } from "../core/codec/index.js";
import { validatorIndex } from "../core/consensus/index.js";

type Signature = Commit["signatures"][number];

/** Equal bytes (PERF: usually the very same array: every node's commit holds the votes' own). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a === b || bytesEqual(a, b);
}

/** One decided (height, round, block) and the precommits seen for it by any node, by validator index. */
interface Decided {
  set: ValidatorSet;
  blockHash: Uint8Array;
  entries: (Signature | undefined)[];
}

/** A node's commit as marks in the shared `Decided` (the commit is rebuilt when block sync serves it). */
interface Compact {
  block: Block;
  height: bigint;
  round: number;
  decided: Decided;
  marks: Uint8Array;
}

/**
 * The committed blocks every simulated node keeps for block sync (sync.ts), stored so that what the nodes
 * have in common is held once. PERF (issue 21): at 100 validators each node's commit of each height is an
 * array of 67–100 signature entries of its own; kept as they were, a 1,000-height run held ≈ 0.5 MB more per
 * height, and the growing heap slowed every collection. Here all nodes' commits of one (height, round,
 * block) share one table of entries by validator index, and a node keeps one mark per validator. A commit is
 * rebuilt exactly: the same entries, in the same (validator) order. A commit that does not fit (another
 * validator set, entries out of order, a signature that differs from the table's) is kept as it is.
 */
export class CommitStore {
  private decided = new Map<string, Decided>();

  /** The `Decided` of `commit` under `set` (made on first use). */
  private tableFor(commit: Commit, set: ValidatorSet): Decided {
    const key = `${commit.height}/${commit.round}/${toHex(commit.blockHash)}`;
    let d = this.decided.get(key);
    if (!d) {
      d = { set, blockHash: commit.blockHash, entries: new Array(set.validators.length) };
      this.decided.set(key, d);
    }
    return d;
  }

  /** `commit` in compact form, or null if it does not fit (the caller keeps it as it is). */
  compact(block: Block, commit: Commit, set: ValidatorSet): Compact | null {
    const d = this.tableFor(commit, set);
    if (d.set !== set) return null;
    const marks = new Uint8Array(set.validators.length);
    let last = -1;
    for (const s of commit.signatures) {
      const i = validatorIndex(set, s.validator);
      if (i <= last) return null;
      last = i;
      const e = d.entries[i];
      if (!e) d.entries[i] = s;
      else if (!same(e.signature, s.signature) || !same(e.validator, s.validator)) return null;
      marks[i] = 1; // a commit that does not fit returns null: its marks are dropped with it
    }
    return { block, height: commit.height, round: commit.round, decided: d, marks };
  }
}

/** One node's committed blocks and commits, index = height − 1 (what block sync serves). */
export class History {
  private items: (Compact | { block: Block; commit: Commit })[] = [];

  constructor(private readonly store: CommitStore) {}

  get length(): number {
    return this.items.length;
  }

  push(block: Block, commit: Commit, set: ValidatorSet): void {
    this.items.push(this.store.compact(block, commit, set) ?? { block, commit });
  }

  /** Entry `i` (height i + 1), its commit rebuilt. */
  at(i: number): { block: Block; commit: Commit } | undefined {
    const x = this.items[i];
    if (!x || "commit" in x) return x;
    const signatures: Signature[] = [];
    const { entries } = x.decided;
    for (let v = 0; v < x.marks.length; v++) if (x.marks[v]) signatures.push(entries[v] as Signature);
    return {
      block: x.block,
      commit: { height: x.height, round: x.round, blockHash: x.decided.blockHash, signatures },
    };
  }

  /** Entries from index `i` on. */
  from(i: number): { block: Block; commit: Commit }[] {
    const out: { block: Block; commit: Commit }[] = [];
    for (let k = Math.max(0, i); k < this.items.length; k++)
      out.push(this.at(k) as { block: Block; commit: Commit });
    return out;
  }
}
