import type { DevnetFile, DevnetNode } from "../state.js";

/** Where a devnet's nodes run (DESIGN.md §6). Recorded in devnet.json; every lifecycle command dispatches on it. */
export type ProviderKind = "process" | "docker" | "compose" | "swarm";

export type NodeRunState = "running" | "paused" | "stopped";

export interface NodeRuntimeInfo {
  state: NodeRunState;
  /** Host pid of the node (for docker: of the container's init process), null when stopped. */
  pid: number | null;
  /** True when the node ended on its own (crashed or exited), as opposed to never started / stopped by us. */
  exited: boolean;
}

export interface NodeNetwork {
  p2pListen: string;
  apiListen: string;
  peers: string[];
}

/** Loopback for everything: the process provider and docker with host networking. */
export function loopbackNetwork(n: DevnetNode, peers: DevnetNode[]): NodeNetwork {
  return {
    p2pListen: `127.0.0.1:${new URL(n.p2pUrl).port}`,
    apiListen: `127.0.0.1:${new URL(n.apiUrl).port}`,
    peers: peers.map((p) => p.p2pUrl),
  };
}

/**
 * What a provider does for one devnet. The `process` and `docker` providers implement the same contract,
 * so `devnet status|stop|start|restart|kill|pause|resume|logs|down` behave the same on both; each call
 * updates `n.pid` (and `n.container`) in place and the caller writes devnet.json.
 */
export interface NodeProvider {
  readonly kind: ProviderKind;
  /** Listen addresses and peer URLs written into the node's config.yaml. */
  network(d: DevnetFile, n: DevnetNode, peers: DevnetNode[]): NodeNetwork;
  /** Starts the node (creating its container on first start); sets `n.pid`. */
  start(d: DevnetFile, n: DevnetNode): Promise<void>;
  /** Clean stop (SIGTERM, then SIGKILL after `graceMs`). */
  stop(d: DevnetFile, n: DevnetNode, graceMs?: number): Promise<"stopped" | "killed" | "not-running">;
  /** Forgets a stopped node: removes its container (docker); its home stays on disk. */
  remove(d: DevnetFile, n: DevnetNode): Promise<void>;
  /** Abrupt stop (SIGKILL), as a crash would. */
  kill(d: DevnetFile, n: DevnetNode): Promise<"killed" | "not-running">;
  pause(d: DevnetFile, n: DevnetNode): Promise<void>;
  resume(d: DevnetFile, n: DevnetNode): Promise<void>;
  inspect(d: DevnetFile, n: DevnetNode): Promise<NodeRuntimeInfo>;
  /** The last `lines` log lines of the node (JSON lines as the node writes them). */
  readLogs(d: DevnetFile, n: DevnetNode, lines: number): Promise<string[]>;
  /** The last lines a node printed outside its structured log (start-up failures, crashes). */
  crashLog(d: DevnetFile, n: DevnetNode, lines: number): Promise<string[]>;
  /** Calls `onLine` for every new log line until `signal` aborts. */
  followLogs(
    d: DevnetFile,
    n: DevnetNode,
    onLine: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /**
   * Stops every node and removes what the provider created for the devnet (containers, networks), also
   * resources that never reached devnet.json (an interrupted `up`). Returns the names of nodes it stopped.
   * `keepData`: chain data that lives in the engine (compose and swarm volumes) stays for a later start.
   */
  teardown(d: DevnetFile, opts?: { keepData?: boolean }): Promise<string[]>;
}
