import { TokenBucket } from "./p2p/rate-limit.js";

/**
 * Per-peer budgets for what this node serves on request (issue 23 item 3): blocks for block sync and txs
 * of a proposal (`blockTxsRequest`). A request costs a few bytes to send and up to megabytes of store reads
 * and encoding to answer, so the transport's frame rate limit alone lets one peer make this node do far
 * more work than it does. Each peer gets a bucket of blocks and one of txs per second; an honest peer
 * catching up or assembling a proposal stays well inside it (it asks for what it misses, once per source).
 * A request over budget is not served (the asker's timeout moves it to another peer); a peer that keeps
 * asking far past its budget is reported as misbehaving.
 */
export interface ServeBudgetLimits {
  /** Blocks served per second per peer, and the burst. */
  blocksPerSecond: number;
  blockBurst: number;
  /** Txs (of `blockTxs` answers) served per second per peer, and the burst. */
  txsPerSecond: number;
  txBurst: number;
  /** Refused requests in a row after which the peer is reported. */
  maxRefusedInARow: number;
}

export type ServeVerdict = "serve" | "refuse" | "misbehave";

export type ServeBudget = ReturnType<typeof createServeBudget>;

export function createServeBudget(limits: ServeBudgetLimits, now: () => number = () => performance.now()) {
  const peers = new Map<string, { blocks: TokenBucket; txs: TokenBucket; refused: number }>();
  const of = (peer: string) => {
    let p = peers.get(peer);
    if (!p) {
      p = {
        blocks: new TokenBucket(limits.blocksPerSecond, limits.blockBurst, now),
        txs: new TokenBucket(limits.txsPerSecond, limits.txBurst, now),
        refused: 0,
      };
      peers.set(peer, p);
    }
    return p;
  };
  const verdict = (p: { refused: number }, ok: boolean): ServeVerdict => {
    if (ok) {
      p.refused = 0;
      return "serve";
    }
    return ++p.refused >= limits.maxRefusedInARow ? "misbehave" : "refuse";
  };
  return {
    /** May `peer` be sent `count` blocks now? Takes them from its budget when so. */
    blocks(peer: string, count: number): ServeVerdict {
      const p = of(peer);
      return verdict(p, p.blocks.take(count));
    },
    /** May `peer` be sent `count` txs of a block now? */
    txs(peer: string, count: number): ServeVerdict {
      const p = of(peer);
      return verdict(p, p.txs.take(count));
    },
    dropPeer(peer: string): void {
      peers.delete(peer);
    },
  };
}
