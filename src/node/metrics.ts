/**
 * Prometheus metrics of one node (DESIGN.md §5), on its own registry (no global state, so several nodes can
 * live in one test process). Names follow Prometheus conventions and pass `promtool check metrics`.
 */
import { readFileSync } from "node:fs";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Private and shared resident bytes of this process from /proc/self/smaps_rollup, or null off Linux. */
export function residentSplit(text?: string): { private: number; shared: number } | null {
  let t = text;
  if (t === undefined) {
    try {
      t = readFileSync("/proc/self/smaps_rollup", "utf8");
    } catch {
      return null;
    }
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(t as string)?.[1] ?? NaN);
  const priv = kb("Private_Clean") + kb("Private_Dirty");
  const shared = kb("Shared_Clean") + kb("Shared_Dirty");
  return Number.isFinite(priv) && Number.isFinite(shared)
    ? { private: priv * 1024, shared: shared * 1024 }
    : null;
}

/** See the file header. */
export function createMetrics() {
  const registry = new Registry();
  // NOTE: not prom-client's collectDefaultMetrics: three of its gauges end in "_total", which
  // `promtool check metrics` rejects. These cover what operators look at.
  new Gauge({
    name: "fastpos_process_resident_memory_bytes",
    help: "Resident set size of the node process",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  // Linux: resident memory split by sharing (/proc/self/smaps_rollup). RSS counts the node binary's and the
  // shared libraries' pages in every process that maps them, so summing RSS over a devnet's nodes counts
  // ≈ 40 MB of code once per node; private pages plus one node's shared pages is what the devnet takes.
  new Gauge({
    name: "fastpos_process_private_memory_bytes",
    help: "Resident memory of the node process no other process shares (Linux; RSS elsewhere)",
    registers: [registry],
    collect() {
      const m = residentSplit();
      this.set(m ? m.private : process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: "fastpos_process_shared_memory_bytes",
    help: "Resident memory of the node process shared with other processes, e.g. the node binary (Linux; 0 elsewhere)",
    registers: [registry],
    collect() {
      this.set(residentSplit()?.shared ?? 0);
    },
  });
  new Gauge({
    name: "fastpos_process_heap_used_bytes",
    help: "V8 heap in use",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: "fastpos_process_cpu_seconds",
    help: "User + system CPU time consumed by the node process",
    registers: [registry],
    collect() {
      const u = process.cpuUsage();
      this.set((u.user + u.system) / 1e6);
    },
  });
  let mempoolView: { readonly size: number; readonly totalBytes: number } | undefined;
  let waitersView: { readonly size: number } | undefined;
  const m = {
    registry,
    /** The mempool the `fastpos_mempool_*` gauges report. */
    watchMempool(mempool: { readonly size: number; readonly totalBytes: number }): void {
      mempoolView = mempool;
    },
    /** The parked `?wait=final` requests `fastpos_api_tx_waiters` reports. */
    watchTxWaiters(waiters: { readonly size: number }): void {
      waitersView = waiters;
    },
    txWaiters: new Gauge({
      name: "fastpos_api_tx_waiters",
      help: "GET /v1/txs/:hash?wait=final requests waiting for their tx to commit",
      registers: [registry],
      collect() {
        if (waitersView) this.set(waitersView.size);
      },
    }),
    height: new Gauge({
      name: "fastpos_height",
      help: "Height of the last committed block",
      registers: [registry],
    }),
    round: new Gauge({ name: "fastpos_round", help: "Current consensus round", registers: [registry] }),
    finalityLatency: new Histogram({
      name: "fastpos_finality_latency_seconds",
      help: "Time from entering a height to committing its block",
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    blockTxs: new Histogram({
      name: "fastpos_block_txs",
      help: "Transactions per committed block",
      buckets: [0, 1, 10, 100, 500, 1000, 2000, 5000],
      registers: [registry],
    }),
    txsCommitted: new Counter({
      name: "fastpos_txs_committed_total",
      help: "Transactions committed in blocks (rate() gives tx/s)",
      registers: [registry],
    }),
    proposalTxsFetched: new Counter({
      name: "fastpos_proposal_txs_fetched_total",
      help: "Txs of proposed blocks this node lacked and fetched from a peer (the rest came from its mempool)",
      registers: [registry],
    }),
    proposeWaits: new Counter({
      name: "fastpos_consensus_propose_waits_total",
      help: "Propose timeouts held because the round's proposal was still fetching txs: the block came whole in time (whole) or the wait ran out (expired)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    relayFrames: new Counter({
      name: "fastpos_p2p_relay_frames_total",
      help: "First-seen proposals and votes relayed to peers (sent), or not sent because the peer hears their signer directly (skipped)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    // PERF: read from the mempool when scraped, not set on every admitted tx.
    mempoolSize: new Gauge({
      name: "fastpos_mempool_txs",
      help: "Transactions in the mempool",
      registers: [registry],
      collect() {
        if (mempoolView) this.set(mempoolView.size);
      },
    }),
    mempoolBytes: new Gauge({
      name: "fastpos_mempool_bytes",
      help: "Bytes in the mempool",
      registers: [registry],
      collect() {
        if (mempoolView) this.set(mempoolView.totalBytes);
      },
    }),
    mempoolEvictions: new Counter({
      name: "fastpos_mempool_evictions_total",
      help: "Transactions evicted from a full mempool",
      registers: [registry],
    }),
    mempoolRejected: new Counter({
      name: "fastpos_mempool_rejected_total",
      help: "Transactions refused at admission",
      labelNames: ["code"],
      registers: [registry],
    }),
    peers: new Gauge({ name: "fastpos_peers", help: "Connected p2p peers", registers: [registry] }),
    consensusHalted: new Gauge({
      name: "fastpos_consensus_halted",
      help: "1 once consensus halted on two commits for one height (at least 1/3 byzantine), else 0",
      registers: [registry],
    }),
    votesReceived: new Counter({
      name: "fastpos_votes_received_total",
      help: "Votes received, per validator and type",
      labelNames: ["validator", "type"],
      registers: [registry],
    }),
    votesMissed: new Counter({
      name: "fastpos_votes_missed_total",
      help: "Committed heights whose commit lacks this validator's precommit",
      labelNames: ["validator"],
      registers: [registry],
    }),
    evidenceCommitted: new Counter({
      name: "fastpos_evidence_committed_total",
      help: "Evidence items carried by committed blocks, per kind (prevote, precommit, proposal)",
      labelNames: ["kind"],
      registers: [registry],
    }),
    evidencePending: new Gauge({
      name: "fastpos_evidence_pending",
      help: "Evidence items in this node's pool, waiting for a block",
      registers: [registry],
    }),
    missedBlocks: new Gauge({
      name: "fastpos_validator_missed_blocks",
      help: "Blocks missed in the current signed-blocks window, per active validator (consensus address prefix)",
      labelNames: ["validator"],
      registers: [registry],
    }),
    jailedValidators: new Gauge({
      name: "fastpos_validators_jailed",
      help: "Validators currently jailed (tombstoned ones included)",
      registers: [registry],
    }),
    slashedTokens: new Counter({
      name: "fastpos_slashed_tokens_total",
      help: "Tokens burned by slashing in committed blocks, per reason",
      labelNames: ["reason"],
      registers: [registry],
    }),
    peerBans: new Counter({
      name: "fastpos_peer_bans_total",
      help: "Peers banned for misbehaviour",
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
