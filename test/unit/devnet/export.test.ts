import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { genesisToJson } from "../../../src/core/chain/genesis.js";
import { toHex } from "../../../src/core/codec/index.js";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { composeExport } from "../../../src/devnet/export/compose.js";
import type { ExportInput } from "../../../src/devnet/export/input.js";
import { k8sExport, k8sObjects, quorumMinAvailable } from "../../../src/devnet/export/k8s.js";
import { parseManifest } from "../../../src/devnet/manifest.js";
import { resolveDevnet } from "../../../src/devnet/resolve.js";
import { validateK8sObject } from "../../helpers/k8s-schema.js";

const keyJson = (sk: Uint8Array) =>
  JSON.stringify({ publicKey: toHex(getPublicKey(sk)), secretKey: toHex(sk) });

/** A 4-validator devnet's export input, as `readExportInput` makes it from node homes. */
function input(manifest: object = { validators: 4 }): ExportInput {
  const plan = resolveDevnet(
    parseManifest({ name: "u", ...manifest }),
    Array.from({ length: 64 }, (_, i) => 30000 + i),
  );
  return {
    name: "u",
    chainId: plan.chainId,
    image: "fastpos-node:test",
    genesisJson: genesisToJson(plan.genesis),
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      index: n.index,
      validator: `fp1-${n.name}`,
      validatorKeyJson: keyJson(n.consensusSecretKey),
      nodeKeyJson: keyJson(new Uint8Array(32).fill(n.index + 1)),
      adminToken: `token-${n.index}`,
    })),
  };
}

describe("quorumMinAvailable", () => {
  const genesis = (stakes: number[]) =>
    JSON.stringify({ validators: stakes.map((s, i) => ({ consensusKey: `0x0${i}`, stake: String(s) })) });
  it("keeps more than 2/3 of the power whichever validators stay", () => {
    expect(quorumMinAvailable(genesis([1, 1, 1, 1]), ["0x00", "0x01", "0x02", "0x03"])).toBe(3);
    expect(quorumMinAvailable(genesis([1, 1, 1]), ["0x00", "0x01", "0x02"])).toBe(3);
    expect(
      quorumMinAvailable(genesis([1, 1, 1, 1, 1, 1, 1]), [
        "0x00",
        "0x01",
        "0x02",
        "0x03",
        "0x04",
        "0x05",
        "0x06",
      ]),
    ).toBe(5);
    // One heavy validator: the three light ones together never make quorum, so all four must stay.
    expect(quorumMinAvailable(genesis([10, 1, 1, 1]), ["0x00", "0x01", "0x02", "0x03"])).toBe(4);
  });
  it("counts a validator that is not in genesis as holding no power", () => {
    expect(quorumMinAvailable(genesis([1, 1, 1, 1]), ["0x00", "0x01", "0x02", "0x03", "0x99"])).toBe(4);
  });
});

describe("composeExport", () => {
  const files = composeExport(input(), [41000, 41001, 41002, 41003]);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const doc = parseYaml(byPath.get("docker-compose.yml")?.content ?? "") as any;

  it("runs one service per validator from its secrets on a named volume, API on 127.0.0.1 only", () => {
    expect(Object.keys(doc.services)).toEqual(["node0", "node1", "node2", "node3"]);
    for (const [i, [name, s]] of Object.entries(doc.services as Record<string, any>).entries()) {
      expect(s.image).toBe("fastpos-node:test");
      expect(s.command).toEqual([
        "node",
        "start",
        "--home",
        "/var/lib/fastpos",
        "--init-from-dir",
        "/run/secrets",
      ]);
      expect(s.ports).toEqual([`127.0.0.1:${41000 + i}:26660`]);
      // The only volume is the named data volume: no host path.
      expect(s.volumes).toEqual([`${name}-data:/var/lib/fastpos`]);
      expect(doc.volumes).toHaveProperty(`${name}-data`);
      expect(s.secrets.map((x: { target: string }) => x.target).sort()).toEqual([
        "admin-token",
        "config.yaml",
        "genesis.json",
        "node-key.json",
        "validator-key.json",
      ]);
      expect(s.healthcheck.test.join(" ")).toContain("/readyz");
      expect(s.restart).toBeUndefined();
    }
  });

  it("dials every other validator by service name and never itself", () => {
    for (const n of ["node0", "node1", "node2", "node3"]) {
      const cfg = parseYaml(byPath.get(`nodes/${n}/config.yaml`)?.content ?? "") as any;
      expect(cfg.p2p.listen).toBe("0.0.0.0:26656");
      expect(cfg.p2p.peers.sort()).toEqual(
        ["node0", "node1", "node2", "node3"].filter((x) => x !== n).map((x) => `ws://${x}:26656`),
      );
    }
  });

  it("writes keys and tokens 0600 and everything else readable", () => {
    for (const f of files) expect(f.mode, f.path).toBe(f.path.startsWith("secrets/") ? 0o600 : 0o644);
    expect(files.filter((f) => f.path.startsWith("secrets/"))).toHaveLength(12);
    expect(byPath.get("secrets/node2/admin-token")?.content).toBe("token-2\n");
  });

  it("writes services of the shape templates/docker-compose.node.yml documents", () => {
    const tpl = parseYaml(
      readFileSync(new URL("../../../templates/docker-compose.node.yml", import.meta.url), "utf8"),
    );
    const node = tpl.services.node;
    const gen = doc.services.node0;
    expect(gen.command).toEqual(node.command);
    expect(gen.healthcheck.test).toEqual(node.healthcheck.test);
    expect(gen.secrets.map((x: { target: string }) => x.target)).toEqual(
      node.secrets.map((x: { target: string }) => x.target),
    );
    expect(gen.volumes[0].split(":")[1]).toBe(node.volumes[0].split(":")[1]);
  });

  it("is a pure function of its input", () => {
    expect(composeExport(input(), [41000, 41001, 41002, 41003])).toEqual(files);
  });
});

describe("k8s export", () => {
  const objs = k8sObjects(input(), { namespace: "chain" }) as any[];
  const kind = (k: string) => objs.filter((o) => o.kind === k);

  it("produces objects the Kubernetes API schemas accept", () => {
    expect(objs.map((o) => o.kind).sort()).toEqual([
      "ConfigMap",
      "PodDisruptionBudget",
      "Secret",
      "Service",
      "Service",
      "StatefulSet",
    ]);
    for (const o of objs) expect(() => validateK8sObject(o), o.kind).not.toThrow();
    for (const o of objs) expect(o.metadata.namespace).toBe("chain");
  });

  it("the schema check can fail: a broken StatefulSet is rejected", () => {
    const sts = structuredClone(kind("StatefulSet")[0]);
    sts.spec.replicas = "4";
    expect(() => validateK8sObject(sts)).toThrow(/replicas must be integer/);
    delete sts.spec.replicas;
    sts.spec.template.spec.containers = undefined;
    expect(() => validateK8sObject(sts)).toThrow(/containers/);
  });

  it("maps each ordinal to its own keys and config, and every peer by headless DNS", () => {
    const [sts] = kind("StatefulSet");
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.podManagementPolicy).toBe("Parallel");
    const c = sts.spec.template.spec.containers[0];
    expect(c.args).toEqual(
      expect.arrayContaining(["--init-from-dir", "/etc/fastpos", "--init-index", "hostname"]),
    );
    const cm = kind("ConfigMap")[0];
    const secret = kind("Secret")[0];
    for (let i = 0; i < 4; i++) {
      expect(secret.stringData).toHaveProperty(`${i}.validator-key.json`);
      expect(secret.stringData).toHaveProperty(`${i}.node-key.json`);
      const cfg = parseYaml(cm.data[`${i}.config.yaml`]);
      expect(cfg.p2p.peers).toHaveLength(3);
      expect(cfg.p2p.peers).not.toContain(`ws://fastpos-u-${i}.fastpos-u-p2p:26656`);
    }
    expect(JSON.parse(secret.stringData["2.validator-key.json"]).publicKey).toBe(
      JSON.parse(input().nodes[2]?.validatorKeyJson ?? "{}").publicKey,
    );
    const headless = kind("Service").find((s) => s.spec.clusterIP === "None");
    expect(headless.metadata.name).toBe(sts.spec.serviceName);
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
  });

  it("probes /readyz and /healthz, annotates for Prometheus, and keeps quorum through disruptions", () => {
    const [sts] = kind("StatefulSet");
    const c = sts.spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "api" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "api" });
    expect(sts.spec.template.metadata.annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/path": "/metrics",
      "prometheus.io/port": "26660",
    });
    expect(kind("PodDisruptionBudget")[0].spec.minAvailable).toBe(3);
    expect(sts.spec.template.spec.volumes[0].projected.defaultMode).toBe(0o400);
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
  });

  it("writes one file per kind (the Secret 0600) that parse back to the same objects", () => {
    const files = k8sExport(input(), { namespace: "chain" });
    const parsed = files
      .filter((f) => f.path !== "kustomization.yaml")
      .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJSON()));
    expect(
      parsed.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name) || a.kind.localeCompare(b.kind)),
    ).toEqual(
      [...objs].sort(
        (a, b) => a.metadata.name.localeCompare(b.metadata.name) || a.kind.localeCompare(b.kind),
      ),
    );
    expect(files.find((f) => f.path === "secret.yaml")?.mode).toBe(0o600);
    const kz = parseYaml(files.find((f) => f.path === "kustomization.yaml")?.content ?? "");
    expect(kz.resources.sort()).toEqual([
      "configmap.yaml",
      "pdb.yaml",
      "secret.yaml",
      "service.yaml",
      "statefulset.yaml",
    ]);
  });
});
