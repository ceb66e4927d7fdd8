import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { DevnetError, type DevnetFile, type DevnetNode } from "../state.js";
import { devnetDirOf, engineError, LABEL_DEVNET, LABEL_DIR, LABEL_NODE, LogDemuxer } from "./docker.js";
import { NODE_ENV_VARS } from "./process.js";
import { loopbackNetwork, type NodeProvider, type NodeRuntimeInfo } from "./types.js";

/**
 * The `swarm` provider (issue 20 item 3): a devnet as Docker Swarm services, one per validator with one
 * replica, on the devnet's overlay network (or the host network: loopback, as the tests use). Keys are swarm
 * secrets and genesis/config swarm configs, made from the node homes `devnet up` writes; each service's home
 * is a named volume made at start (`node start --init-from-dir`), so no host path is mounted. Validators are
 * spread across the swarm's nodes (`node.hostname` placement, round robin), which also pins each one to the
 * node holding its volume.
 *
 * Lifecycle: stop = 0 replicas, start = 1 replica (a forced update when the task died), kill = SIGKILL of
 * the task's container (restart policy `none`, so it stays down like a crashed process), pause/resume =
 * `docker pause` of the container — those two need the task on this engine's node.
 */
export type SwarmNetworkMode = "overlay" | "host";

export interface SwarmSettings {
  image: string;
  network: SwarmNetworkMode;
  /** Hostnames of the swarm nodes the validators are spread over (at `up`). */
  placement: string[];
}

/** Where each service finds its init source: secrets (keys) and configs (genesis, config.yaml). */
export const SWARM_SECRETS_DIR = "/run/secrets";
export const SWARM_CONFIG_DIR = "/etc/fastpos";
const HOME_IN_TASK = "/var/lib/fastpos";
const LABEL_SERVICE = "com.docker.swarm.service.name";

function tag(d: DevnetFile): string {
  return createHash("sha256").update(devnetDirOf(d)).digest("hex").slice(0, 6);
}

/** Service name of a node (also its host name on the overlay network). */
export function serviceName(d: DevnetFile, n: DevnetNode): string {
  return `fp-${d.name}-${n.name}-${tag(d)}`.slice(0, 63);
}

export function overlayNetworkName(d: DevnetFile): string {
  return `fp-${d.name}-${tag(d)}`;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

const statusCode = (err: unknown) => (err as { statusCode?: number }).statusCode;

async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "ENOENT" || code === "EACCES" || code === "ECONNRESET")
      throw engineError(err);
    throw err;
  }
}

/** The swarm this engine belongs to, or a one-line error saying how to make one. */
export async function assertSwarmManager(docker: Docker): Promise<string[]> {
  const info = (await call(docker.info())) as {
    Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
  };
  if (info.Swarm?.LocalNodeState !== "active" || !info.Swarm.ControlAvailable)
    throw new DevnetError(
      {
        code: "DEVNET_BAD_OPTION",
        option: "provider",
        hint: "make this engine a swarm manager: docker swarm init --advertise-addr 127.0.0.1",
      },
      `the Docker engine is not a swarm manager (swarm state: ${info.Swarm?.LocalNodeState ?? "unknown"}); run \`docker swarm init --advertise-addr 127.0.0.1\` first`,
    );
  const nodes = await call(docker.listNodes());
  return nodes
    .filter((x) => x.Status?.State === "ready" && x.Spec?.Availability === "active")
    .map((x) => x.Description?.Hostname as string)
    .filter(Boolean)
    .sort();
}

export function createSwarmProvider(docker: Docker, s: SwarmSettings): NodeProvider {
  const labels = (d: DevnetFile, n?: DevnetNode) => ({
    [LABEL_DEVNET]: d.name,
    [LABEL_DIR]: devnetDirOf(d),
    ...(n ? { [LABEL_NODE]: n.name } : {}),
  });

  const findService = async (d: DevnetFile, n: DevnetNode) => {
    const name = serviceName(d, n);
    const list = await call(docker.listServices({ filters: { name: [name] } }));
    return list.find((x) => x.Spec?.Name === name);
  };

  /** The node's task containers on this engine, newest first. */
  const containers = async (d: DevnetFile, n: DevnetNode) =>
    (
      await call(
        docker.listContainers({ all: true, filters: { label: [`${LABEL_SERVICE}=${serviceName(d, n)}`] } }),
      )
    ).sort((a, b) => b.Created - a.Created);

  const running = async (d: DevnetFile, n: DevnetNode) =>
    (await containers(d, n)).find((c) => c.State === "running" || c.State === "paused");

  /** Tasks the orchestrator runs for the node (on any swarm node). */
  const liveTasks = async (d: DevnetFile, n: DevnetNode) => {
    const tasks = (await call(
      docker.listTasks({ filters: { service: [serviceName(d, n)], "desired-state": ["running"] } }),
    )) as { Status?: { State?: string } }[];
    return tasks.filter((t) => t.Status?.State === "running");
  };

  const ensureNetwork = async (d: DevnetFile): Promise<string> => {
    if (s.network === "host") return (await call(docker.getNetwork("host").inspect())).Id as string;
    const name = overlayNetworkName(d);
    const existing = await call(docker.listNetworks({ filters: { name: [name] } }));
    const found = existing.find((x) => x.Name === name);
    if (found) return found.Id;
    const net = await call(
      docker.createNetwork({ Name: name, Driver: "overlay", Attachable: true, Labels: labels(d) }),
    );
    return net.id;
  };

  /** Swarm secrets (keys) and configs (genesis, config) of a node, made from its home; ids by file. */
  const makeObjects = async (d: DevnetFile, n: DevnetNode) => {
    const svc = serviceName(d, n);
    const read = (f: string) => readFileSync(join(n.home, f));
    const secrets: { SecretID: string; SecretName: string; File: object }[] = [];
    const configs: { ConfigID: string; ConfigName: string; File: object }[] = [];
    const files = ["validator-key.json", "node-key.json", "admin-token"].filter((f) =>
      existsSync(join(n.home, f)),
    );
    for (const f of files) {
      const name = `${svc}-${f.replace(/\W/g, "-")}`;
      await call(docker.getSecret(name).remove()).catch(() => {});
      const r = (await call(
        docker.createSecret({ Name: name, Labels: labels(d, n), Data: read(f).toString("base64") }),
      )) as { id: string };
      // SECURITY: mode 0400, root-owned inside the task.
      secrets.push({ SecretID: r.id, SecretName: name, File: { Name: f, UID: "0", GID: "0", Mode: 0o400 } });
    }
    for (const f of ["genesis.json", "config.yaml"]) {
      const name = `${svc}-${f.replace(/\W/g, "-")}`;
      await call(docker.getConfig(name).remove()).catch(() => {});
      const r = (await call(
        docker.createConfig({ Name: name, Labels: labels(d, n), Data: read(f).toString("base64") }),
      )) as { id: string };
      configs.push({
        ConfigID: r.id,
        ConfigName: name,
        File: { Name: `${SWARM_CONFIG_DIR}/${f}`, UID: "0", GID: "0", Mode: 0o444 },
      });
    }
    return { secrets, configs };
  };

  const createService = async (d: DevnetFile, n: DevnetNode) => {
    const network = await ensureNetwork(d);
    const { secrets, configs } = await makeObjects(d, n);
    const index = d.nodes.indexOf(n);
    const host = s.placement.length ? s.placement[index % s.placement.length] : undefined;
    const api = portOf(n.apiUrl);
    await call(
      docker.createService({
        Name: serviceName(d, n),
        Labels: labels(d, n),
        TaskTemplate: {
          ContainerSpec: {
            Image: s.image,
            Args: [
              "node",
              "start",
              "--home",
              HOME_IN_TASK,
              "--init-from-dir",
              SWARM_SECRETS_DIR,
              "--init-from-dir",
              SWARM_CONFIG_DIR,
            ],
            Env: [
              ...Object.entries(NODE_ENV_VARS).map(([k, v]) => `${k}=${v}`),
              "FASTPOS_LOG_STDERR=true",
              "NODE_OPTIONS=--max-semi-space-size=4 --max-old-space-size=192",
            ],
            Hostname: serviceName(d, n),
            Init: true,
            StopGracePeriod: 10_000_000_000,
            Mounts: [
              {
                Type: "volume",
                Source: `${serviceName(d, n)}-data`,
                Target: HOME_IN_TASK,
                VolumeOptions: { Labels: labels(d, n) },
              },
            ],
            Secrets: secrets,
            Configs: configs,
            Labels: labels(d, n),
          },
          RestartPolicy: { Condition: "none" },
          Placement: host ? { Constraints: [`node.hostname == ${host}`] } : {},
          Networks: [{ Target: network }],
        },
        Mode: { Replicated: { Replicas: 1 } },
        ...(s.network === "overlay"
          ? {
              EndpointSpec: {
                Ports: [{ Protocol: "tcp", TargetPort: api, PublishedPort: api, PublishMode: "ingress" }],
              },
            }
          : {}),
      } as unknown as Docker.CreateServiceOptions),
    );
  };

  const update = async (d: DevnetFile, n: DevnetNode, change: (spec: Docker.ServiceSpec) => void) => {
    const info = await findService(d, n);
    if (!info?.ID || !info.Spec) return;
    const spec = structuredClone(info.Spec);
    change(spec);
    await call(docker.getService(info.ID).update({ ...spec, version: info.Version?.Index } as object));
  };

  const waitFor = async (cond: () => Promise<boolean>, timeoutMs: number) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await cond()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };

  const pidOf = async (d: DevnetFile, n: DevnetNode): Promise<number | null> => {
    const c = await running(d, n);
    if (!c) return (await liveTasks(d, n)).length ? 1 : null;
    return (await call(docker.getContainer(c.Id).inspect())).State.Pid || null;
  };

  const logs = async (d: DevnetFile, n: DevnetNode, opts: object): Promise<unknown> => {
    const info = await findService(d, n);
    if (!info?.ID) return undefined;
    return call(docker.getService(info.ID).logs({ stdout: true, stderr: true, ...opts } as object));
  };

  const readLogs = async (d: DevnetFile, n: DevnetNode, lines: number): Promise<string[]> => {
    if (lines <= 0) return [];
    const raw = await logs(d, n, { tail: lines, follow: false });
    if (raw === undefined) return [];
    const out: string[] = [];
    const demux = new LogDemuxer((l) => out.push(l));
    demux.push(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    demux.end();
    return out.slice(-lines);
  };

  return {
    kind: "swarm",

    network(d, n, peers) {
      if (s.network === "host") return loopbackNetwork(n, peers);
      return {
        p2pListen: `0.0.0.0:${portOf(n.p2pUrl)}`,
        apiListen: `0.0.0.0:${portOf(n.apiUrl)}`,
        peers: peers.map((p) => `ws://${serviceName(d, p)}:${portOf(p.p2pUrl)}`),
      };
    },

    async start(d, n) {
      const info = await findService(d, n);
      if (!info) await createService(d, n);
      else if ((await running(d, n))?.State === "paused") {
        const c = await running(d, n);
        if (c) await call(docker.getContainer(c.Id).unpause());
      } else if ((await liveTasks(d, n)).length === 0) {
        // One replica, and a forced update: with restart policy `none` the orchestrator does not replace a
        // dead task in its slot (after a kill, or a quick 0 → 1 scale), but an update makes a new task.
        await update(d, n, (spec) => {
          spec.Mode = { Replicated: { Replicas: 1 } };
          const t = spec.TaskTemplate as { ForceUpdate?: number };
          t.ForceUpdate = (t.ForceUpdate ?? 0) + 1;
        });
      }
      const up = await waitFor(async () => (await liveTasks(d, n)).length > 0, 90_000);
      if (!up) {
        const output = await readLogs(d, n, 12).catch(() => []);
        throw new DevnetError(
          {
            code: "DEVNET_START_FAILED",
            node: n.name,
            reason: "no running task",
            hint: `check that the image ${s.image} is on every swarm node; the service's output: \`fastpos devnet logs ${n.name}\``,
            output,
          },
          `the swarm did not start a task for ${n.name} within 90 s${output.length ? `; its last output: ${output.at(-1)}` : ""}`,
        );
      }
      n.container = serviceName(d, n);
      n.pid = await pidOf(d, n);
    },

    async stop(d, n) {
      n.pid = null;
      const was = await running(d, n);
      const live = (await liveTasks(d, n)).length;
      if (!was && live === 0) return "not-running";
      if (was?.State === "paused") await call(docker.getContainer(was.Id).unpause());
      await update(d, n, (spec) => {
        spec.Mode = { Replicated: { Replicas: 0 } };
      });
      await waitFor(async () => !(await running(d, n)) && (await liveTasks(d, n)).length === 0, 30_000);
      return "stopped";
    },

    async remove(d, n) {
      const info = await findService(d, n);
      if (info?.ID) await call(docker.getService(info.ID).remove()).catch(() => {});
      n.pid = null;
      n.container = null;
    },

    async kill(d, n) {
      n.pid = null;
      const c = await running(d, n);
      if (!c) {
        if ((await liveTasks(d, n)).length)
          throw new DevnetError(
            {
              code: "DEVNET_BAD_OPTION",
              option: "node",
              hint: "run the command on the swarm node that runs it",
            },
            `${n.name} runs on another swarm node; kill needs its container on this engine`,
          );
        return "not-running";
      }
      await call(docker.getContainer(c.Id).kill({ signal: "SIGKILL" })).catch((err) => {
        if (statusCode(err) !== 409) throw err;
      });
      // Until the orchestrator has seen the task die too: a `start` right after must not take it for live.
      await waitFor(async () => !(await running(d, n)) && (await liveTasks(d, n)).length === 0, 20_000);
      return "killed";
    },

    async pause(d, n) {
      const c = await running(d, n);
      if (!c)
        throw new DevnetError(
          {
            code: "DEVNET_BAD_OPTION",
            option: "node",
            hint: "pause needs the task on this engine's swarm node",
          },
          `${n.name} has no running container on this engine`,
        );
      if (c.State === "running") await call(docker.getContainer(c.Id).pause());
    },

    async resume(d, n) {
      const c = await running(d, n);
      if (c?.State === "paused") await call(docker.getContainer(c.Id).unpause());
    },

    async inspect(d, n): Promise<NodeRuntimeInfo> {
      const c = await running(d, n);
      if (c) {
        const pid = (await call(docker.getContainer(c.Id).inspect())).State.Pid || null;
        return { state: c.State === "paused" ? "paused" : "running", pid, exited: false };
      }
      if ((await liveTasks(d, n)).length) return { state: "running", pid: null, exited: false };
      const svc = await findService(d, n);
      const exited = n.pid !== null && svc?.Spec?.Mode?.Replicated?.Replicas === 1;
      return { state: "stopped", pid: null, exited };
    },

    readLogs,
    crashLog: readLogs,

    async followLogs(d, n, onLine, signal) {
      const nowTs = () => Math.floor(Date.now() / 1000);
      let since = nowTs();
      while (!signal.aborted) {
        const stream = (await logs(d, n, { follow: true, since, tail: 0 }).catch(() => undefined)) as
          | PassThrough
          | undefined;
        if (stream && typeof stream.on === "function") {
          const demux = new LogDemuxer(onLine);
          await new Promise<void>((resolve) => {
            const stop = () => {
              stream.destroy();
              resolve();
            };
            signal.addEventListener("abort", stop, { once: true });
            stream.on("data", (c: Buffer) => demux.push(c));
            stream.on("end", () => {
              signal.removeEventListener("abort", stop);
              demux.end();
              resolve();
            });
            stream.on("error", () => resolve());
          });
          since = nowTs();
        }
        if (!signal.aborted) await new Promise((r) => setTimeout(r, 1_000));
      }
    },

    async teardown(d, opts) {
      const filter = { label: [`${LABEL_DIR}=${devnetDirOf(d)}`] };
      const services = await call(docker.listServices({ filters: filter }));
      const stopped: string[] = [];
      for (const svc of services) {
        const node = svc.Spec?.Labels?.[LABEL_NODE] ?? svc.Spec?.Name ?? "";
        const n = d.nodes.find((x) => x.name === node);
        if (n && (await liveTasks(d, n)).length) stopped.push(node);
        await call(docker.getService(svc.ID as string).remove()).catch(() => {});
      }
      // Volumes, secrets and networks are in use until the task containers are gone.
      await waitFor(
        async () =>
          (
            await call(
              docker.listContainers({ all: true, filters: { label: [`${LABEL_DIR}=${devnetDirOf(d)}`] } }),
            )
          ).length === 0,
        60_000,
      );
      const secrets = (await call(docker.listSecrets({ filters: filter }))) as { ID: string }[];
      for (const x of secrets) await call(docker.getSecret(x.ID).remove()).catch(() => {});
      const configs = (await call(docker.listConfigs({ filters: filter }))) as { ID: string }[];
      for (const x of configs) await call(docker.getConfig(x.ID).remove()).catch(() => {});
      const nets = await call(docker.listNetworks({ filters: filter }));
      for (const x of nets) await call(docker.getNetwork(x.Id).remove()).catch(() => {});
      // --keep-data: the volumes (chain data) stay; `devnet start` makes the services again on them.
      const vols = opts?.keepData
        ? []
        : ((await call(docker.listVolumes({ filters: filter }))).Volumes ?? []);
      for (const v of vols) await call(docker.getVolume(v.Name).remove({ force: true })).catch(() => {});
      for (const n of d.nodes) n.pid = null;
      return stopped.sort();
    },
  };
}
