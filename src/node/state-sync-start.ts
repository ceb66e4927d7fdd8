/**
 * Where state sync meets node start-up (issue 17): on a node asked to state-sync (`stateSync.enabled` or
 * `node start --state-sync`) whose database is still empty, the state-sync client runs on the started
 * transport before the consensus driver exists; the verified snapshot goes into the store in one batch and
 * the chain state is loaded from it (with the same stateRoot check as any start). A node that already has
 * blocks ignores the setting and catches up by block sync.
 */
import type { Genesis } from "../core/chain/genesis.js";
import type { State } from "../core/chain/state.js";
import { CommitCodec } from "../core/chain/vote.js";
import { encode, fromHex } from "../core/codec/index.js";
import { genesisHashMeta, loadChainState } from "./chain-state.js";
import type { NodeConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { Transport } from "./p2p/transport.js";
import { createStateSync } from "./state-sync.js";
import type { Store } from "./store.js";

export type StateSyncRun = Pick<
  ReturnType<typeof createStateSync>,
  "onMessage" | "onPeerConnected" | "onPeerDisconnected"
>;

export async function runStateSyncIfAsked(o: {
  config: NodeConfig;
  state: State;
  store: Store;
  genesis: Genesis;
  transport: Pick<Transport, "send" | "broadcast" | "misbehave">;
  logger: Logger;
  signal: AbortSignal;
  setClient: (c: StateSyncRun | undefined) => void;
}): Promise<State> {
  const cfg = o.config.stateSync;
  if (!cfg.enabled) return o.state;
  if (o.state.height > 0n) {
    o.logger.info({ height: String(o.state.height) }, "state sync skipped: the node already has blocks");
    return o.state;
  }
  const client = createStateSync({
    chainId: o.state.chainId,
    trustedSet: o.state.validatorSet,
    trust: cfg.trustHeight > 0 ? { height: BigInt(cfg.trustHeight), hash: fromHex(cfg.trustHash, 32) } : null,
    send: (p, t, b) => void o.transport.send(p, t, b),
    broadcast: (t, b) => o.transport.broadcast(t, b),
    misbehave: (p, r) => o.transport.misbehave(p, r),
    log: o.logger,
    discoveryMs: cfg.discoveryMs,
    timeoutMs: cfg.timeoutMs,
    signal: o.signal,
  });
  o.setClient(client);
  try {
    const synced = await client.run();
    await o.store.importSnapshot({
      height: synced.manifest.height,
      hash: synced.manifest.blockHash,
      block: synced.blockBytes,
      commit: encode(CommitCodec, synced.commit),
      state: synced.tree.entries(),
      meta: { ...genesisHashMeta(o.state), chain: synced.manifest.meta },
    });
    const state = await loadChainState(o.store, o.genesis);
    o.logger.info(
      { height: String(state.height), servedBy: synced.servedBy.length, banned: synced.bannedPeers.length },
      "state sync complete; block sync to the tip follows",
    );
    return state;
  } finally {
    o.setClient(undefined);
  }
}
