import { createHash } from "node:crypto";
import { dirname } from "node:path";
import type { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { DevnetError, type DevnetFile, type DevnetNode } from "../state.js";
import { NODE_ENV_VARS, NODE_V8_FLAGS } from "./process.js";
import { loopbackNetwork, type NodeProvider, type NodeRuntimeInfo } from "./types.js";

/**
 * The `docker` provider (DESIGN.md §6): one container per validator on the local engine (dockerode,
 * `DOCKER_HOST` respected), the node home bind-mounted at the same path as on the host (so config paths and
 * `devnet logs` work unchanged), labels naming devnet and node, `docker pause`/`unpause` for pause/resume.
 *
 * Networking: `host` puts every node on the host's loopback exactly like the process provider (tests use
 * it); `bridge` gives the devnet its own Docker network, nodes dial each other by container name and each
 * node's API and p2p ports are published on 127.0.0.1 of the host (works on Docker Desktop too).
 */
export type DockerNetworkMode = "host" | "bridge";

export interface DockerSettings {
  image: string;
  network: DockerNetworkMode;
}

export const LABEL_DEVNET = "org.fastpos.devnet";
export const LABEL_NODE = "org.fastpos.node";
/** The devnet's state dir: tells apart devnets of the same name under different FASTPOS_HOMEs. */
export const LABEL_DIR = "org.fastpos.dir";

/** Where the engine is, for messages. */
export function engineAddress(): string {
  return process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
}

/** A connected engine, or a one-line error saying how to start one (exit 4). */
export async function connectEngine(timeoutMs = 5_000): Promise<Docker> {
  const mod = (await import("dockerode")) as unknown as { default: typeof Docker };
  const docker = new mod.default();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })),
          timeoutMs,
        );
      }),
    ]);
  } catch (err) {
    throw engineError(err);
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

export function engineError(err: unknown): DevnetError {
  const code = (err as { code?: string }).code ?? (err as Error).message;
  const hint =
    code === "EACCES"
      ? "add your user to the docker group (sudo usermod -aG docker $USER) or run as root"
      : "start one (Linux: `sudo dockerd &` or `sudo systemctl start docker`; macOS/Windows: Docker Desktop) or point DOCKER_HOST at one";
  return new DevnetError(
    { code: "ENGINE_UNREACHABLE", engine: engineAddress(), reason: String(code), hint },
    `no Docker engine answers at ${engineAddress()} (${code}); ${hint}`,
  );
}

/** The devnet's state dir: every node home lives in it. */
export function devnetDirOf(d: DevnetFile): string {
  return d.nodes[0] ? dirname(d.nodes[0].home) : "";
}

/** Short, stable suffix of the devnet's state dir, so container names never clash across homes. */
function dirTag(d: DevnetFile): string {
  return createHash("sha256").update(devnetDirOf(d)).digest("hex").slice(0, 6);
}

export function containerName(d: DevnetFile, n: DevnetNode): string {
  return `fastpos-${d.name}-${n.name}-${dirTag(d)}`;
}

export function bridgeNetworkName(d: DevnetFile): string {
  return `fastpos-${d.name}-${dirTag(d)}`;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** Runs an engine call, turning a lost connection into the one-line engine error. */
async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "ENOENT" || code === "EACCES" || code === "ECONNRESET") {
      throw engineError(err);
    }
    throw err;
  }
}

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers: stream type, 3 zero bytes, u32 BE
 * length; used when the container has no TTY) into text, keeping partial frames between chunks.
 */
export class LogDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  private rest = "";
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const type = this.buf[0] as number;
      const len = this.buf.readUInt32BE(4);
      if (type > 2 || this.buf[1] !== 0 || this.buf[2] !== 0 || this.buf[3] !== 0) {
        // Not multiplexed (TTY container): treat everything as text.
        this.text(this.buf.toString("utf8"));
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length < 8 + len) return;
      this.text(this.buf.subarray(8, 8 + len).toString("utf8"));
      this.buf = this.buf.subarray(8 + len);
    }
  }

  end(): void {
    if (this.rest.trim()) this.onLine(this.rest);
    this.rest = "";
  }

  private text(s: string): void {
    const parts = (this.rest + s).split("\n");
    this.rest = parts.pop() ?? "";
    for (const p of parts) if (p.trim()) this.onLine(p);
  }
}

/**
 * What a provider built on the docker one does its own way: `compose` creates containers with
 * docker-compose and tears the project down with it; everything else (start, stop, kill, pause, logs,
 * inspect) is the same engine call on a container found by name.
 */
export interface DockerProviderOverrides {
  kind: "compose";
  /** The node's container name (fixed by the compose file), also when devnet.json forgot it. */
  containerName(d: DevnetFile, n: DevnetNode): string;
  /** Creates the node's container (named `n.container`) without starting it. */
  create(d: DevnetFile, n: DevnetNode): Promise<void>;
  teardown(d: DevnetFile, opts?: { keepData?: boolean }): Promise<string[]>;
}

export function createDockerProvider(
  docker: Docker,
  settings: DockerSettings,
  overrides?: DockerProviderOverrides,
): NodeProvider {
  const labelsFor = (d: DevnetFile, n: DevnetNode) => ({
    [LABEL_DEVNET]: d.name,
    [LABEL_NODE]: n.name,
    [LABEL_DIR]: devnetDirOf(d),
  });

  /**
   * The devnet's bridge network, created ONCE per provider: `up` creates its nodes in parallel, and the
   * engine accepts duplicate network names, so check-then-create from each node made 2+ networks of the
   * same name and every later container failed with "network … is ambiguous" (issue 19 item 4).
   * Concurrent callers share one in-flight promise; a failure is forgotten so a retry can try again.
   */
  const networks = new Map<string, Promise<string>>();
  const ensureNetwork = (d: DevnetFile): Promise<string> => {
    const name = bridgeNetworkName(d);
    let p = networks.get(name);
    if (!p) {
      p = createNetworkOnce(d, name);
      networks.set(name, p);
      p.catch(() => networks.delete(name));
    }
    return p;
  };
  const createNetworkOnce = async (d: DevnetFile, name: string): Promise<string> => {
    const existing = await call(docker.listNetworks({ filters: { name: [name] } }));
    if (!existing.some((x) => x.Name === name)) {
      await call(
        docker.createNetwork({
          Name: name,
          Driver: "bridge",
          Labels: { [LABEL_DEVNET]: d.name, [LABEL_DIR]: devnetDirOf(d) },
        }),
      );
    }
    return name;
  };

  const create = async (d: DevnetFile, n: DevnetNode): Promise<Docker.Container> => {
    const name = containerName(d, n);
    const api = portOf(n.apiUrl);
    const p2p = portOf(n.p2pUrl);
    const bridge = settings.network === "bridge";
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    const c = await call(
      docker.createContainer({
        name,
        Image: settings.image,
        Cmd: ["node", "start", "--home", n.home],
        Env: [
          "FASTPOS_LOG_STDERR=true",
          ...Object.entries(NODE_ENV_VARS).map(([k, v]) => `${k}=${v}`),
          // Only flags Node accepts in NODE_OPTIONS (it refuses --single-threaded there).
          `NODE_OPTIONS=${NODE_V8_FLAGS.filter((f) => f.startsWith("--max-")).join(" ")}`,
        ],
        Labels: labelsFor(d, n),
        // The node writes its files as the host user, so the home stays the user's to read and delete.
        ...(uid !== undefined && gid !== undefined ? { User: `${uid}:${gid}` } : {}),
        ...(bridge ? { ExposedPorts: { [`${api}/tcp`]: {}, [`${p2p}/tcp`]: {} }, Hostname: name } : {}),
        HostConfig: {
          NetworkMode: bridge ? await ensureNetwork(d) : "host",
          Binds: [`${n.home}:${n.home}`],
          Init: true,
          RestartPolicy: { Name: "no" },
          ...(bridge
            ? {
                PortBindings: {
                  [`${api}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: String(api) }],
                  [`${p2p}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: String(p2p) }],
                },
              }
            : {}),
        },
      }),
    );
    n.container = name;
    return c;
  };

  const nameOf = overrides?.containerName ?? containerName;
  const container = (d: DevnetFile, n: DevnetNode) => docker.getContainer(n.container ?? nameOf(d, n));

  const state = async (d: DevnetFile, n: DevnetNode) => {
    try {
      return (await call(container(d, n).inspect())).State;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  };

  const waitStopped = async (d: DevnetFile, n: DevnetNode, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const st = await state(d, n);
      if (!st?.Running) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const readLogs = async (d: DevnetFile, n: DevnetNode, lines: number): Promise<string[]> => {
    if (lines <= 0) return [];
    let raw: unknown;
    try {
      raw = await call(container(d, n).logs({ stdout: true, stderr: true, tail: lines, follow: false }));
    } catch (err) {
      if (statusCode(err) === 404) return [];
      throw err;
    }
    const out: string[] = [];
    const demux = new LogDemuxer((l) => out.push(l));
    demux.push(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    demux.end();
    return out.slice(-lines);
  };

  const provider: NodeProvider = {
    kind: overrides?.kind ?? "docker",

    network(d, n, peers) {
      if (settings.network === "host") return loopbackNetwork(n, peers);
      // Inside the devnet's bridge network: listen on every interface of the container (the published
      // ports stay on the host's 127.0.0.1) and dial peers by container name.
      return {
        p2pListen: `0.0.0.0:${portOf(n.p2pUrl)}`,
        apiListen: `0.0.0.0:${portOf(n.apiUrl)}`,
        peers: peers.map((p) => `ws://${containerName(d, p)}:${portOf(p.p2pUrl)}`),
      };
    },

    async start(d, n) {
      let st = await state(d, n);
      if (!st) {
        await (overrides ? overrides.create(d, n) : create(d, n));
        st = await state(d, n);
      }
      if (st?.Paused) await call(container(d, n).unpause());
      else if (!st?.Running) {
        try {
          await call(container(d, n).start());
        } catch (err) {
          throw new DevnetError(
            { code: "DEVNET_START_FAILED", node: n.name, reason: (err as Error).message },
            `could not start the container of ${n.name}: ${(err as { json?: { message?: string } }).json?.message ?? (err as Error).message}`,
          );
        }
      }
      n.container = n.container ?? nameOf(d, n);
      n.pid = (await state(d, n))?.Pid || null;
    },

    async stop(d, n, graceMs = 10_000) {
      const st = await state(d, n);
      n.pid = null;
      if (!st?.Running) return "not-running";
      if (st.Paused) await call(container(d, n).unpause());
      try {
        await call(container(d, n).stop({ t: Math.max(1, Math.ceil(graceMs / 1000)) }));
      } catch (err) {
        if (statusCode(err) !== 304) throw err;
      }
      await waitStopped(d, n, 5_000);
      const after = await state(d, n);
      return after?.ExitCode === 137 ? "killed" : "stopped";
    },

    async remove(d, n) {
      await call(container(d, n).remove({ force: true, v: true })).catch((err) => {
        if (statusCode(err) !== 404) throw err;
      });
      n.pid = null;
      n.container = null;
    },

    async kill(d, n) {
      const st = await state(d, n);
      n.pid = null;
      if (!st?.Running) return "not-running";
      try {
        await call(container(d, n).kill({ signal: "SIGKILL" }));
      } catch (err) {
        if (statusCode(err) !== 409) throw err;
      }
      await waitStopped(d, n, 5_000);
      return "killed";
    },

    async pause(d, n) {
      const st = await state(d, n);
      if (st?.Running && !st.Paused) await call(container(d, n).pause());
    },

    async resume(d, n) {
      const st = await state(d, n);
      if (st?.Paused) await call(container(d, n).unpause());
    },

    async inspect(d, n): Promise<NodeRuntimeInfo> {
      const st = await state(d, n);
      if (!st?.Running) {
        return {
          state: "stopped",
          pid: null,
          exited: n.pid !== null && (st?.Status === "exited" || st?.Status === "dead"),
        };
      }
      return { state: st.Paused ? "paused" : "running", pid: st.Pid || null, exited: false };
    },

    readLogs,
    crashLog: readLogs,

    async followLogs(d, n, onLine, signal) {
      // Fractional seconds (the engine takes "seconds.nanoseconds"): whole seconds would repeat the lines of
      // the current second that `readLogs` already printed.
      const nowTs = () => (Date.now() / 1000).toFixed(3);
      let since = nowTs();
      while (!signal.aborted) {
        let stream: PassThrough | undefined;
        try {
          stream = (await call(
            container(d, n).logs({
              stdout: true,
              stderr: true,
              follow: true,
              since: since as unknown as number,
              tail: 0,
            }),
          )) as unknown as PassThrough;
        } catch (err) {
          if (statusCode(err) !== 404) throw err;
        }
        if (stream) {
          const s = stream;
          const demux = new LogDemuxer(onLine);
          await new Promise<void>((resolve) => {
            const stop = () => {
              s.destroy();
              resolve();
            };
            signal.addEventListener("abort", stop, { once: true });
            s.on("data", (c: Buffer) => demux.push(c));
            s.on("end", () => {
              signal.removeEventListener("abort", stop);
              demux.end();
              resolve();
            });
            s.on("error", () => resolve());
          });
          since = nowTs();
        }
        // The container stopped (or does not exist yet): wait for it to come back, as `tail -F` would.
        if (!signal.aborted) await new Promise((r) => setTimeout(r, 1_000));
      }
    },

    async teardown(d) {
      const dir = devnetDirOf(d);
      const listed = await call(
        docker.listContainers({ all: true, filters: { label: [`${LABEL_DIR}=${dir}`] } }),
      );
      const names = new Set(d.nodes.map((n) => containerName(d, n)));
      const stopped: string[] = [];
      await Promise.all(
        listed.map(async (info) => {
          const c = docker.getContainer(info.Id);
          const node = info.Labels?.[LABEL_NODE] ?? info.Id.slice(0, 12);
          if (info.State === "running" || info.State === "paused") {
            stopped.push(node);
            if (info.State === "paused") await call(c.unpause()).catch(() => {});
            await call(c.stop({ t: 8 })).catch(() => {});
          }
          await call(c.remove({ force: true, v: true })).catch((err) => {
            if (statusCode(err) !== 404) throw err;
          });
          names.delete(info.Names?.[0]?.replace(/^\//, "") ?? "");
        }),
      );
      // Containers recorded under another label set (older devnet.json): by name.
      for (const name of names) {
        await call(docker.getContainer(name).remove({ force: true, v: true })).catch(() => {});
      }
      const nets = await call(docker.listNetworks({ filters: { label: [`${LABEL_DIR}=${dir}`] } }));
      for (const net of nets) await call(docker.getNetwork(net.Id).remove()).catch(() => {});
      networks.delete(bridgeNetworkName(d));
      for (const n of d.nodes) n.pid = null;
      return stopped.sort();
    },
  };
  if (overrides) provider.teardown = (d, opts) => overrides.teardown(d, opts);
  return provider;
}
