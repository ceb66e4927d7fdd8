/**
 * The blocks of the height being decided that this node built, received or validated, by hash, with the
 * verdict of executing each against the current state: the paper's valid(v) (DESIGN.md §4: validators
 * re-execute before prevoting). Cached, because a block arrives from every peer and again from the WAL.
 */
import { type AppliedBlock, applyBlock } from "../core/chain/apply/block.js";
import { type Block, hashBlock } from "../core/chain/block.js";
import { ChainError } from "../core/chain/errors.js";
import type { State } from "../core/chain/state.js";
import { hashTx, type Tx } from "../core/chain/tx.js";
import { toHex } from "../core/codec/index.js";
import type { SignatureMemo } from "../core/crypto/index.js";
import type { Mempool } from "./mempool.js";

/** A block with its bytes; `applied` is null when it is invalid against the state. */
export interface CachedBlock {
  block: Block;
  bytes: Uint8Array;
  applied: AppliedBlock | null;
}

export interface BlockCacheDeps {
  state(): State;
  mempool: Pick<Mempool<Tx>, "has">;
  /** This node's clock (ms): bounds how far ahead a block's time may be. */
  now(): bigint;
  log: { warn(obj: object, msg?: string): void };
  /** Signatures verified as votes: the lastCommit check skips them. */
  verifiedSignatures?: SignatureMemo;
}

export type BlockCache = ReturnType<typeof createBlockCache>;

export function createBlockCache(deps: BlockCacheDeps) {
  const blocks = new Map<string, CachedBlock>();
  return {
    get: (hashHex: string) => blocks.get(hashHex),
    /** Keeps a block this node built (valid by construction). */
    set: (hashHex: string, entry: CachedBlock) => void blocks.set(hashHex, entry),
    clear: () => blocks.clear(),
    /**
     * Executes `block` against the current state once and caches the verdict. Txs in the mempool are not
     * re-verified (their signatures were checked at admission). Only ChainErrors mean "invalid".
     */
    validate(block: Block, bytes: Uint8Array): CachedBlock {
      const hash = toHex(hashBlock(block));
      const cached = blocks.get(hash);
      if (cached) return cached;
      let applied: AppliedBlock | null = null;
      try {
        const verified = new Set(block.txs.filter((t) => deps.mempool.has(toHex(hashTx(t)))));
        const ctx = {
          now: deps.now(),
          verifiedTxs: verified,
          encodedSize: bytes.length,
          ...(deps.verifiedSignatures && { verifiedSignatures: deps.verifiedSignatures }),
        };
        applied = applyBlock(deps.state(), block, ctx);
      } catch (err) {
        if (!(err instanceof ChainError)) throw err;
        const at = { code: err.code, msg: err.message, height: String(block.header.height) };
        deps.log.warn(at, "proposed block is invalid");
      }
      const entry = { block, bytes, applied };
      blocks.set(hash, entry);
      return entry;
    },
  };
}
