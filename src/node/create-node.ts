/**
 * The composition root (STYLE.md "One composition root", DESIGN.md §5): the only place that builds storage,
 * signer, WAL, mempool, p2p, consensus driver, API and metrics, and wires them, with one AbortController for
 * shutdown.
 */
import { join } from "node:path";
import type { NodeEvent, PublishEvent } from "../core/api/events.js";
import { decodeTx, encodeTx, hashTx, type Tx } from "../core/chain/tx.js";
import { indexOfValidator } from "../core/chain/validator-set.js";
import { CommitCodec } from "../core/chain/vote.js";
import { decode, toHex } from "../core/codec/index.js";
import { addressBytes } from "../core/crypto/index.js";
import type { FastposError } from "../core/errors.js";
import { createAdmission } from "./admission.js";
import { eventTypesFilter, jsonText, sendEvent, startApiServer } from "./api/http.js";
import { apiRoutes } from "./api/routes.js";
import { createTxWaiters } from "./api/tx-waiters.js";
import { createBackupJobs } from "./backup/node-job.js";
import { assertByzantineAllowed, BYZANTINE_WARNING } from "./byzantine.js";
import { loadChainState } from "./chain-state.js";
import { type ConfigLayer, loadConfig, type NodeConfig } from "./config.js";
import { createDriver } from "./driver.js";
import { openEvidencePool } from "./evidence-pool.js";
import { loadPersistedFaults, savePersistedFaults } from "./fault-file.js";
import { loadAdminToken, loadGenesisFile, readKeyFile } from "./home.js";
import { listenError } from "./listen-error.js";
import { createLogger } from "./logger.js";
import { Mempool } from "./mempool.js";
import { saveMempool, takeSavedMempool } from "./mempool-file.js";
import { MSG, SNAPSHOT_TYPES, TX_GOSSIP_TYPES } from "./messages.js";
import { createMetrics } from "./metrics.js";
import { createTransport } from "./p2p/transport.js";
import { createPruner } from "./pruning.js";
import { openSigner, unguardedSigner } from "./signer.js";
import { createSnapshotService } from "./snapshot/service.js";
import { runStateSyncIfAsked, type StateSyncRun } from "./state-sync-start.js";
import { openStore } from "./store.js";
import { createTxGossip } from "./tx-gossip.js";
import { openWal } from "./wal.js";

/** A started node: its endpoints, and `stop` for a clean shutdown. */
export interface RunningNode {
  config: NodeConfig;
  apiUrl: string;
  p2pUrl: string;
  nodeId: string;
  /** The node's logger (for the process that runs it: e.g. its uncaught-exception guard). */
  log: { error(obj: object, msg?: string): void };
  stop(): Promise<void>;
}

export async function createNode(
  home: string,
  opts: { env?: NodeJS.ProcessEnv; flags?: ConfigLayer } = {},
): Promise<RunningNode> {
  const config = loadConfig(home, opts);
  const abort = new AbortController();
  const logger = createLogger({
    file: join(home, "logs", "node.log"),
    level: config.log.level,
    stderr: config.log.stderr,
    name: config.moniker,
    maxBytes: config.log.maxBytes,
    maxFiles: config.log.maxFiles,
  });
  const genesis = loadGenesisFile(join(home, config.genesis));
  const nodeKey = readKeyFile(join(home, config.nodeKey));
  const validatorKey = config.validatorKey ? readKeyFile(join(home, config.validatorKey)) : null;
  const adminToken = loadAdminToken(home);
  const metrics = createMetrics();
  const store = await openStore(join(home, "data", "db"));
  const cleanups: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    let state = await loadChainState(store, genesis);
    const byzantine = config.unsafe.byzantine;
    if (byzantine) {
      assertByzantineAllowed({
        unsafe: config.unsafe.enabled,
        chainId: state.chainId,
        validator: Boolean(validatorKey),
      });
      const at = { equivocate: byzantine.equivocate, split: byzantine.split, chainId: state.chainId };
      logger.warn(at, BYZANTINE_WARNING);
    }
    const evidencePool = await openEvidencePool(store, state, (err) =>
      logger.error({ err: String(err) }, "evidence pool: could not read or write it"),
    );
    cleanups.unshift(() => evidencePool.flush()); // its last write lands before the store closes
    const signer = validatorKey
      ? openSigner(join(home, "data"), validatorKey.secretKey, validatorKey.publicKey)
      : null;
    if (signer) cleanups.push(() => signer.close());
    const wal = openWal(join(home, "data", "consensus.wal"), { logger });
    cleanups.push(() => wal.close());
    const mempool = new Mempool<Tx>(config.mempool);
    metrics.watchMempool(mempool);
    /** Event subscribers, each with the event types it asked for (null = all). */
    const subscribers = new Map<import("ws").WebSocket, ReadonlySet<string> | null>();
    const txWaiters = createTxWaiters({ max: config.api.maxTxWaiters });
    metrics.watchTxWaiters(txWaiters);
    const publish: PublishEvent = (event) => {
      // Published after the block's store batch is written: a woken long-poll finds its tx in the store.
      if (event.type === "newBlock")
        txWaiters.onCommitted(event.txHashes, event.txHashes.length === event.txs);
      // PERF: serialised once for all subscribers, and not at all when nobody wants this type (a `tx`
      // event per admitted tx was ~10% of a loaded node's time when only `newBlock` was being watched).
      let text: string | undefined;
      for (const [ws, types] of subscribers) {
        if (types && !types.has(event.type)) continue;
        text ??= jsonText(event);
        sendEvent(ws, text);
      }
    };
    let driverRef: ReturnType<typeof createDriver> | undefined;
    /** The state-sync client while it runs (before the driver exists). */
    let syncRef: StateSyncRun | undefined;
    const snapshots = createSnapshotService({
      dataDir: join(home, "data"),
      ...config.snapshot,
      chunkBytes: Math.min(config.snapshot.chunkBytes, Math.floor(config.p2p.maxFrameBytes / 2)),
      send: (peer, type, payload) => transport.send(peer, type, payload),
      misbehave: (peer, reason) => transport.misbehave(peer, reason),
      log: logger,
      onAnswer: (peer, type, payload) => syncRef?.onMessage(peer, type, payload),
    });

    const transport = createTransport({
      chainId: state.chainId,
      genesisHash: state.genesisHash,
      nodeKey,
      moniker: config.moniker,
      listen: config.p2p.listen,
      peers: config.p2p.peers,
      maxPeers: config.p2p.maxPeers,
      maxFrameBytes: config.p2p.maxFrameBytes,
      maxMessagesPerSecond: config.p2p.maxMessagesPerSecond,
      banSeconds: config.p2p.banSeconds,
      peerExchange: config.p2p.peerExchange,
      maxInboundPerIp: config.p2p.maxInboundPerIp,
      // A validator proves its consensus key in the handshake, and peers proving one of the current set
      // get reserved slots (issue 24 item 5).
      validatorKey: validatorKey
        ? { secretKey: validatorKey.secretKey, publicKey: validatorKey.publicKey }
        : null,
      isValidator: (pk) => indexOfValidator((driverRef?.state ?? state).validatorSet, addressBytes(pk)) >= 0,
      logger,
      onMessage: (peer, type, payload) => {
        if (TX_GOSSIP_TYPES.includes(type)) return gossip.onMessage(peer.id, type, payload);
        if (SNAPSHOT_TYPES.includes(type)) return snapshots.onMessage(peer.id, type, payload);
        if (syncRef && type === MSG.blockResponse) return syncRef.onMessage(peer.id, type, payload);
        driverRef?.onMessage(peer.id, type, payload);
      },
      onPeerConnected: (peer) => {
        metrics.peers.set(transport.peers().length);
        syncRef?.onPeerConnected(peer.id);
        driverRef?.onPeerConnected(peer);
      },
      onPeerDisconnected: (peer) => {
        metrics.peers.set(transport.peers().length);
        snapshots.onPeerDisconnected(peer.id);
        syncRef?.onPeerDisconnected(peer.id);
        driverRef?.onPeerDisconnected(peer);
      },
    });

    const admit = createAdmission({
      state: () => driverRef?.state ?? state,
      mempool,
      onAdmitted(hash, tx, evicted) {
        if (evicted) metrics.mempoolEvictions.inc(evicted);
        driverRef?.onTxAdmitted(hash, tx);
        publish({ type: "tx", hash });
      },
    });

    const gossip = createTxGossip({
      transport,
      known: (hash) => mempool.known(hash),
      admit,
      lookup: (hash) => {
        const tx = mempool.get(hash);
        return tx && encodeTx(tx); // the bytes it was received as (the codec remembers them)
      },
      maxFrameBytes: Math.floor(config.p2p.maxFrameBytes / 2),
      budget: {
        txsPerSecond: config.p2p.txsPerSecondPerPeer,
        txBytesPerSecond: config.p2p.txBytesPerSecondPerPeer,
      },
    });

    /** A tx from the API; `bytes` (its canonical encoding) when the caller has them. */
    function submitTx(tx: Tx, bytes: Uint8Array = encodeTx(tx)): { hash: string } {
      const hash = toHex(hashTx(tx)); // = SHA-256 of `bytes`, which are the tx's remembered encoding
      try {
        if (admit(tx, bytes, hash)) gossip.broadcast(bytes);
        return { hash };
      } catch (err) {
        metrics.mempoolRejected.inc({ code: (err as FastposError).code ?? "INTERNAL" });
        throw err;
      }
    }

    /** Re-admits the txs saved at the last clean stop; ones that became invalid are dropped. */
    function restoreMempool(saved: Uint8Array[]): void {
      let admitted = 0;
      for (const bytes of saved) {
        try {
          const tx = decodeTx(bytes);
          const hash = toHex(hashTx(tx));
          if (admit(tx, bytes, hash)) {
            gossip.broadcast(bytes);
            admitted++;
          }
        } catch {
          // committed meanwhile, or otherwise no longer valid
        }
      }
      if (saved.length) logger.info({ saved: saved.length, admitted }, "restored the saved mempool");
    }

    if (config.devnet.faults) {
      const saved = loadPersistedFaults(home, (reason) => logger.warn({ reason }, "faults.json unreadable"));
      for (const [peer, fault] of Object.entries(saved)) transport.setFault(peer, fault);
    }
    await transport.start().catch((err: unknown) => {
      throw listenError("p2p", config.p2p.listen, err);
    });
    cleanups.unshift(() => transport.stop());
    state = await runStateSyncIfAsked({
      config,
      state,
      store,
      genesis,
      transport,
      logger,
      signal: abort.signal,
      setClient: (c) => {
        syncRef = c;
      },
    });
    const pruner = createPruner({ store, keepBlocks: config.pruning.keepBlocks, log: logger });
    const storedCommit = await store.commitAt(state.height);
    const driver = createDriver({
      state,
      lastCommit: storedCommit ? decode(CommitCodec, storedCommit) : null,
      store,
      signer,
      self: validatorKey ? addressBytes(validatorKey.publicKey) : null,
      wal,
      mempool,
      transport,
      logger,
      metrics,
      publish,
      now: () => BigInt(Date.now()),
      signal: abort.signal,
      maxBlockTxs: config.mempool.maxBlockTxs,
      emptyBlocksIntervalMs: config.consensus.emptyBlocksIntervalMs,
      beforePropose: () => gossip.flush(),
      expediteTxs: (hashes) => gossip.expedite(hashes),
      maxFrameBytes: Math.floor(config.p2p.maxFrameBytes / 2),
      evidencePool,
      ...(byzantine &&
        validatorKey && {
          byzantine: {
            equivocate: byzantine.equivocate,
            split: byzantine.split,
            sign: unguardedSigner(validatorKey.secretKey, validatorKey.publicKey),
          },
        }),
      onCommitted: (s) => {
        snapshots.onCommitted(s);
        pruner.onCommitted(s.height);
      },
    });
    driverRef = driver;
    cleanups.unshift(() => driver.stop());

    const api = await startApiServer({
      listen: config.api.listen,
      maxBodyBytes: config.api.maxBodyBytes,
      requestsPerSecondPerIp: config.api.requestsPerSecondPerIp,
      txsPerSecondPerIp: config.api.txsPerSecondPerIp,
      maxEventSubscribers: config.api.maxEventSubscribers,
      requestTimeoutMs: config.api.requestTimeoutMs,
      adminToken,
      logger,
      statusFor: (err) =>
        err.code === "MEMPOOL_FULL" ? 503 : err.code.startsWith("MEMPOOL_DUPLICATE") ? 409 : 400,
      routes: apiRoutes({
        chainId: state.chainId,
        genesisHash: state.genesisHash,
        nodeId: transport.nodeId,
        moniker: config.moniker,
        validatorAddress: validatorKey ? addressBytes(validatorKey.publicKey) : null,
        state: () => driver.state,
        consensus: () => driver.consensus,
        syncing: () => driver.syncing,
        pendingEvidence: () => driver.pendingEvidence(),
        halted: () => driver.halted,
        store,
        mempool,
        transport,
        metrics,
        submitTx,
        faultsEnabled: config.devnet.faults,
        onFaultsChanged: () => savePersistedFaults(home, transport.faults()),
        startedAt: Date.now(),
        maxBatchTxs: config.api.maxBatchTxs,
        txWaiters,
        backups: createBackupJobs({
          store,
          dataDir: join(home, "data"),
          chainId: state.chainId,
          genesisHash: state.genesisHash,
          log: logger,
        }),
      }),
      onEvents: (ws, req) => {
        subscribers.set(ws, eventTypesFilter(req.url));
        ws.on("close", () => subscribers.delete(ws));
        ws.on("error", () => subscribers.delete(ws));
        sendEvent(ws, {
          type: "hello",
          height: driver.state.height,
          chainId: state.chainId,
        } satisfies NodeEvent);
      },
    });
    // Runs right after the API closes (no more 202s), before peers are closed: what was acknowledged
    // leaves now, and stays on disk for the next start (issue 24 item 11).
    const mempoolFile = join(home, "data", "mempool.bin");
    cleanups.unshift(() => {
      gossip.flush();
      const saved = saveMempool(
        mempoolFile,
        [...mempool.txs()].map((t) => encodeTx(t)),
      );
      logger.info({ txs: saved }, "saved the mempool for the next start");
    });
    cleanups.unshift(() => api.close());
    // Parked long-polls get 503 NODE_STOPPING, not a cut socket: their answers go out (a turn) before
    // the API closes every connection.
    cleanups.unshift(async () => {
      txWaiters.close();
      await new Promise((r) => setImmediate(r));
    });
    driver.start();
    restoreMempool(
      takeSavedMempool(mempoolFile, (reason) => logger.warn({ reason }, "saved mempool unreadable")),
    );
    metrics.height.set(Number(state.height));
    if (validatorKey && indexOfValidator(state.validatorSet, addressBytes(validatorKey.publicKey)) < 0) {
      // Not an error (a validator about to be bonded starts like this), but never silent (issue 24 item 10).
      const address = toHex(addressBytes(validatorKey.publicKey));
      logger.warn(
        { address },
        "this node's validator key is not in the active set: it will not vote until bonded",
      );
    }
    logger.info(
      {
        api: api.url,
        p2p: transport.listenUrl(),
        nodeId: transport.nodeId,
        height: String(state.height),
        validator: Boolean(validatorKey),
      },
      "node started",
    );
    return {
      config,
      apiUrl: api.url,
      p2pUrl: transport.listenUrl(),
      nodeId: transport.nodeId,
      log: logger,
      async stop() {
        abort.abort();
        for (const c of cleanups) await c();
        logger.info({}, "node stopped");
        logger.flush();
      },
    };
  } catch (err) {
    for (const c of cleanups) await c();
    throw err;
  }
}
