import { stringify as stringifyYaml } from "yaml";
import { containerNodeConfig, type ExportFile, secretFiles } from "./compose.js";
import { CONTAINER_API_PORT, CONTAINER_HOME, CONTAINER_P2P_PORT, type ExportInput } from "./input.js";

/** Where the init volume (ConfigMap + Secret) is mounted in each pod. */
export const K8S_INIT_DIR = "/etc/fastpos";

export interface K8sOptions {
  namespace: string;
  /** Size of each validator's data volume. */
  storage?: string;
}

type Obj = Record<string, unknown>;

/**
 * Smallest number of validators that holds quorum (3·power > 2·total) whichever validators are the ones
 * left: the weakest k genesis validators must exceed 2/3 of the genesis power. Nodes that are not genesis
 * validators (added later) count as holding no power, so each of them adds one to the answer. Pure.
 */
export function quorumMinAvailable(genesisJson: string, validatorPubkeys: string[]): number {
  const g = JSON.parse(genesisJson) as { validators: { consensusKey: string; stake: string }[] };
  const power = new Map(g.validators.map((v) => [v.consensusKey.toLowerCase(), BigInt(v.stake)]));
  const known = validatorPubkeys.map((k) => power.get(k.toLowerCase())).filter((p) => p !== undefined);
  const total = [...power.values()].reduce((a, b) => a + b, 0n);
  const weakest = [...known].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let sum = 0n;
  let k = 0;
  for (const p of weakest) {
    if (3n * sum > 2n * total) break;
    sum += p;
    k += 1;
  }
  return k + (validatorPubkeys.length - known.length);
}

function pubkeyOf(validatorKeyJson: string): string {
  return String((JSON.parse(validatorKeyJson) as { publicKey: string }).publicKey);
}

/**
 * `devnet export --format k8s` (issue 20 item 4) as Kubernetes objects, pure: one StatefulSet whose pod
 * ordinal picks its keys (`--init-index hostname` reads `<ordinal>.validator-key.json` from the init
 * volume), a headless Service for p2p (DNS `NAME-i.NAME-p2p`, published before pods are ready, since a
 * validator is ready only once it has peers), a ClusterIP Service for the API, a ConfigMap (genesis and
 * per-ordinal config), a Secret (keys, admin tokens), readiness on /readyz, liveness on /healthz,
 * Prometheus scrape annotations on /metrics, and a PodDisruptionBudget that keeps quorum.
 */
export function k8sObjects(input: ExportInput, o: K8sOptions): Obj[] {
  const base = `fastpos-${input.name}`;
  const headless = `${base}-p2p`;
  const labels = { "app.kubernetes.io/name": "fastpos", "app.kubernetes.io/instance": input.name };
  const meta = (name: string, extra: Obj = {}) => ({ name, namespace: o.namespace, labels, ...extra });
  const host = (i: number) => `${base}-${i}.${headless}`;
  const configData: Record<string, string> = { "genesis.json": input.genesisJson };
  const secretData: Record<string, string> = {};
  for (const n of input.nodes) {
    const peers = input.nodes.filter((p) => p !== n).map((p) => host(p.index));
    configData[`${n.index}.config.yaml`] = containerNodeConfig(n, peers);
    for (const s of secretFiles(n)) secretData[`${n.index}.${s.file}`] = s.content;
  }
  const replicas = input.nodes.length;
  const minAvailable = quorumMinAvailable(
    input.genesisJson,
    input.nodes.map((n) => pubkeyOf(n.validatorKeyJson)),
  );
  const ports = [
    { name: "p2p", containerPort: CONTAINER_P2P_PORT, protocol: "TCP" },
    { name: "api", containerPort: CONTAINER_API_PORT, protocol: "TCP" },
  ];
  const probe = (path: string, extra: Obj) => ({
    httpGet: { path, port: "api" },
    periodSeconds: 5,
    timeoutSeconds: 3,
    ...extra,
  });
  const statefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta(base),
    spec: {
      serviceName: headless,
      replicas,
      // All validators start together: one alone never reaches quorum, so OrderedReady would wait forever.
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: {
        metadata: {
          labels,
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(CONTAINER_API_PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          terminationGracePeriodSeconds: 15,
          containers: [
            {
              name: "node",
              image: input.image,
              imagePullPolicy: "IfNotPresent",
              args: [
                "node",
                "start",
                "--home",
                CONTAINER_HOME,
                "--init-from-dir",
                K8S_INIT_DIR,
                "--init-index",
                "hostname",
              ],
              env: [
                { name: "NODE_ENV", value: "production" },
                { name: "MALLOC_ARENA_MAX", value: "2" },
              ],
              ports,
              readinessProbe: probe("/readyz", { initialDelaySeconds: 3, failureThreshold: 3 }),
              livenessProbe: probe("/healthz", { initialDelaySeconds: 10, failureThreshold: 6 }),
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
              volumeMounts: [
                { name: "data", mountPath: CONTAINER_HOME },
                { name: "init", mountPath: K8S_INIT_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            {
              name: "init",
              projected: {
                // SECURITY: keys readable by the container's user only; the node copies them 0600.
                defaultMode: 0o400,
                sources: [{ configMap: { name: `${base}-config` } }, { secret: { name: `${base}-keys` } }],
              },
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: o.storage ?? "1Gi" } },
          },
        },
      ],
    },
  };
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(`${base}-config`), data: configData },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(`${base}-keys`),
      type: "Opaque",
      stringData: secretData,
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(headless),
      spec: {
        clusterIP: "None",
        publishNotReadyAddresses: true,
        selector: labels,
        ports: ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name })),
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(`${base}-api`),
      spec: {
        type: "ClusterIP",
        selector: labels,
        ports: [{ name: "api", port: CONTAINER_API_PORT, targetPort: "api" }],
      },
    },
    statefulSet,
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(base),
      spec: { minAvailable, selector: { matchLabels: labels } },
    },
  ];
}

const FILE_OF: Record<string, string> = {
  ConfigMap: "configmap.yaml",
  Secret: "secret.yaml",
  Service: "service.yaml",
  StatefulSet: "statefulset.yaml",
  PodDisruptionBudget: "pdb.yaml",
};

/** The k8s export as files: one per kind (secret.yaml 0600) and a kustomization.yaml listing them. */
export function k8sExport(input: ExportInput, o: K8sOptions): ExportFile[] {
  const byFile = new Map<string, Obj[]>();
  for (const obj of k8sObjects(input, o)) {
    const f = FILE_OF[obj.kind as string] as string;
    byFile.set(f, [...(byFile.get(f) ?? []), obj]);
  }
  const header = `# fastpos devnet "${input.name}" (chain ${input.chainId}); see docs/kubernetes.md\n`;
  const files: ExportFile[] = [...byFile].map(([path, objs]) => ({
    path,
    content: header + objs.map((x) => stringifyYaml(x)).join("---\n"),
    mode: path === "secret.yaml" ? 0o600 : 0o644,
  }));
  files.push({
    path: "kustomization.yaml",
    content: stringifyYaml({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [...byFile.keys()],
    }),
    mode: 0o644,
  });
  return files;
}
