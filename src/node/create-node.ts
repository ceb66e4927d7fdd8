import { join } from "node:path";
import { checkTransfer } from "../core/chain/apply/transfer.js";
import { applyTxToTree } from "../core/chain/apply/tx.js";
import { TxError } from "../core/chain/errors.js";
import { getAccount } from "../core/chain/state.js";
import { encodeTx, hashTx, payloadSpend, signedTxSignBytes, type Tx } from "../core/chain/tx.js";
import { CommitCodec } from "../core/chain/vote.js";
import { decode, toHex } from "../core/codec/index.js";
import { addressBytes, verify } from "../core/crypto/index.js";
import type { FastposError } from "../core/errors.js";
import { eventTypesFilter, jsonText, sendEvent, startApiServer } from "./api/http.js";
import { apiRoutes } from "./api/routes.js";
import { loadChainState } from "./chain-state.js";
import { type ConfigLayer, loadConfig, type NodeConfig } from "./config.js";
import { createDriver } from "./driver.js";
import { loadAdminToken, loadGenesisFile, readKeyFile } from "./home.js";
import { listenError } from "./listen-error.js";
import { createLogger } from "./logger.js";
import { Mempool } from "./mempool.js";
import { TX_GOSSIP_TYPES } from "./messages.js";
import { createMetrics } from "./metrics.js";
import { createTransport } from "./p2p/transport.js";
import { openSigner } from "./signer.js";
import { openStore } from "./store.js";
import { createTxGossip } from "./tx-gossip.js";
import { openWal } from "./wal.js";

/**
 * The composition root (STYLE.md "One composition root", DESIGN.md §5): the only place that builds storage,
 * signer, WAL, mempool, p2p, consensus driver, API and metrics, and wires them, with one AbortController for
 * shutdown.
 */
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
    const state = await loadChainState(store, genesis);
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
    const publish = (event: { type: string } & Record<string, unknown>) => {
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
      logger,
      onMessage: (peer, type, payload) => {
        if (TX_GOSSIP_TYPES.includes(type)) return gossip.onMessage(peer.id, type, payload);
        driverRef?.onMessage(peer.id, type, payload);
      },
      onPeerConnected: (peer) => {
        metrics.peers.set(transport.peers().length);
        driverRef?.onPeerConnected(peer);
      },
      onPeerDisconnected: () => metrics.peers.set(transport.peers().length),
    });

    /**
     * Mempool admission (DESIGN.md §5): the signature is checked here, once. `bytes` are the tx's canonical
     * encoding and `hash` their hex SHA-256 (the tx hash), so nothing is re-encoded or re-hashed.
     */
    function admit(tx: Tx, bytes: Uint8Array, hash: string): boolean {
      const s = driverRef?.state ?? state;
      const b = tx.body;
      if (mempool.has(hash)) return false;
      if (b.chainId !== s.chainId) {
        throw new TxError(
          { code: "TX_WRONG_CHAIN", expected: s.chainId, got: b.chainId },
          `tx is for chain "${b.chainId}", this node runs "${s.chainId}"`,
        );
      }
      const size = bytes.length;
      if (size > s.params.maxTxBytes)
        throw new TxError({ code: "TX_TOO_LARGE", size, max: s.params.maxTxBytes }, "tx too large");
      // `verify` also rejects small-order / non-canonical keys, with its verdict cached per key.
      if (!verify(b.from, signedTxSignBytes(tx), tx.signature)) {
        throw new TxError({ code: "TX_BAD_SIGNATURE" }, "bad signature");
      }
      if (b.fee < s.params.minFee) {
        throw new TxError(
          { code: "TX_FEE_TOO_LOW", min: s.params.minFee, got: b.fee },
          `fee below the minimum ${s.params.minFee}`,
        );
      }
      const sender = addressBytes(b.from);
      const acct = getAccount(s, sender);
      const need = b.fee + payloadSpend(b.payload);
      if (acct.balance < need) {
        throw new TxError(
          { code: "TX_INSUFFICIENT_FUNDS", need, have: acct.balance },
          `insufficient funds: need ${need}, have ${acct.balance}`,
        );
      }
      if (b.nonce < acct.nonce) {
        throw new TxError(
          { code: "TX_BAD_NONCE", expected: acct.nonce, got: b.nonce },
          `nonce ${b.nonce} already used; next is ${acct.nonce}`,
        );
      }
      if (b.payload.type === "transfer") checkTransfer(b.payload.value);
      // PERF: a transfer's stateful checks are the balance and nonce above (a recipient overflowing u64 is
      // left to block building); other payloads are simulated.
      if (b.nonce === acct.nonce && b.payload.type !== "transfer") {
        // The sender's next tx: execute it against the latest state now, so stateful errors (unknown
        // validator, not jailed, below min stake…) reach the user instead of a block builder.
        applyTxToTree(s.tree, tx, {
          chainId: s.chainId,
          params: s.params,
          feeRecipient: sender,
          height: s.height + 1n,
          signatureVerified: true,
        });
      }
      const res = mempool.add(
        { hash, sender: toHex(sender).slice(2), nonce: b.nonce, fee: b.fee, size, tx },
        acct.nonce,
      );
      if (res.evicted.length) metrics.mempoolEvictions.inc(res.evicted.length);
      driverRef?.onTxAdmitted(hash, tx);
      publish({ type: "tx", hash });
      return true;
    }

    const gossip = createTxGossip({
      transport,
      known: (hash) => mempool.known(hash),
      admit,
      lookup: (hash) => {
        const tx = mempool.get(hash);
        return tx && encodeTx(tx); // the bytes it was received as (the codec remembers them)
      },
      maxFrameBytes: Math.floor(config.p2p.maxFrameBytes / 2),
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

    await transport.start().catch((err: unknown) => {
      throw listenError("p2p", config.p2p.listen, err);
    });
    cleanups.unshift(() => transport.stop());
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
      beforePropose: () => gossip.flush(),
      maxFrameBytes: Math.floor(config.p2p.maxFrameBytes / 2),
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
        store,
        mempool,
        transport,
        metrics,
        submitTx,
        faultsEnabled: config.devnet.faults,
        startedAt: Date.now(),
        maxBatchTxs: config.api.maxBatchTxs,
      }),
      onEvents: (ws, req) => {
        subscribers.set(ws, eventTypesFilter(req.url));
        ws.on("close", () => subscribers.delete(ws));
        ws.on("error", () => subscribers.delete(ws));
        sendEvent(ws, { type: "hello", height: driver.state.height.toString(), chainId: state.chainId });
      },
    });
    cleanups.unshift(() => api.close());
    driver.start();
    metrics.height.set(Number(state.height));
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
