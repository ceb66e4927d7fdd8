import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";
import { validateK8sObject } from "../helpers/k8s-schema.js";

/**
 * `fastpos devnet export` as a user runs it (issue 20 items 2 and 4): the files it writes from a real
 * devnet, the devnet record it leaves for compose, K8s manifests validated against the API schemas, and
 * bad input (unknown format, missing devnet, unwritable --out, bad init source) as exit 1 + one line + hint.
 */
describe("fastpos devnet export", () => {
  let home: string;
  let cleanup: () => void;

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir("fastpos-export-"));
    const up = await runCli(["devnet", "up", "-n", "4", "--name", "exp", "--json"], {
      home,
      timeout: 120_000,
    });
    expect(up.code, up.stderr).toBe(0);
    // Export reads the homes on disk: a stopped devnet exports the same.
    const down = await runCli(["devnet", "down", "--devnet", "exp", "--keep-data"], {
      home,
      timeout: 60_000,
    });
    expect(down.code, down.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("writes Kubernetes manifests that the API schemas accept, secret.yaml private", async () => {
    const out = join(home, "k8s");
    const r = await runCli(
      ["devnet", "export", "exp", "--format", "k8s", "--out", out, "--namespace", "chain", "--json"],
      {
        home,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().files.sort()).toEqual([
      "configmap.yaml",
      "kustomization.yaml",
      "pdb.yaml",
      "secret.yaml",
      "service.yaml",
      "statefulset.yaml",
    ]);
    expect(statSync(join(out, "secret.yaml")).mode & 0o777).toBe(0o600);
    const objs = ["configmap.yaml", "secret.yaml", "service.yaml", "statefulset.yaml", "pdb.yaml"].flatMap(
      (f) => parseAllDocuments(readFileSync(join(out, f), "utf8")).map((d) => d.toJSON()),
    );
    for (const o of objs) expect(() => validateK8sObject(o), `${o.kind} ${o.metadata.name}`).not.toThrow();
    const sts = objs.find((o) => o.kind === "StatefulSet");
    expect(sts.spec.replicas).toBe(4);
    expect(objs.find((o) => o.kind === "PodDisruptionBudget").spec.minAvailable).toBe(3);
    // The genesis in the ConfigMap is the devnet's own.
    const genesis = readFileSync(join(home, "devnets", "exp", "genesis.json"), "utf8");
    expect(objs.find((o) => o.kind === "ConfigMap").data["genesis.json"]).toBe(genesis);
  });

  it("writes a compose project and a devnet record that points at its published ports", async () => {
    const out = join(home, "compose");
    const r = await runCli(["devnet", "export", "exp", "--format", "compose", "--out", out, "--json"], {
      home,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ record: "exp-compose" });
    const doc = parseYaml(readFileSync(join(out, "docker-compose.yml"), "utf8"));
    expect(Object.keys(doc.services)).toEqual(["node0", "node1", "node2", "node3"]);
    expect(readFileSync(join(out, ".env"), "utf8")).toBe("COMPOSE_PROJECT_NAME=fastpos-exp\n");
    const rec = JSON.parse(readFileSync(join(home, "devnets", "exp-compose", "devnet.json"), "utf8"));
    expect(rec).toMatchObject({ provider: "compose", compose: { dir: out, project: "fastpos-exp" } });
    for (const n of rec.nodes)
      expect(doc.services[n.name].ports).toEqual([`127.0.0.1:${new URL(n.apiUrl).port}:26660`]);
    expect(rec.nodes[0].container).toBe("fastpos-exp-node0");
    // The funded accounts came along, so `tx --devnet exp-compose --from alice` signs.
    expect(existsSync(join(home, "devnets", "exp-compose", "keys", "alice.json"))).toBe(true);
    const list = await runCli(["devnet", "list", "--json"], { home });
    expect(JSON.stringify(list.json())).toContain("exp-compose");
  });

  it("refuses an unknown format, a missing devnet and an --out it cannot write, with one line and a hint", async () => {
    const cases: [string[], RegExp][] = [
      [["devnet", "export", "exp", "--format", "helm"], /unknown export format "helm"/],
      [["devnet", "export", "nope", "--format", "compose"], /no devnet named "nope"/],
    ];
    const file = join(home, "a-file");
    writeFileSync(file, "x");
    cases.push([
      ["devnet", "export", "exp", "--format", "k8s", "--out", join(file, "sub")],
      /cannot write the export to/,
    ]);
    for (const [args, message] of cases) {
      const r = await runCli(args, { home });
      expect(r.code, args.join(" ")).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines[0]).toMatch(message);
      expect(lines[0]).toMatch(/^Error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      if (!/no devnet named/.test(lines[0] ?? "")) expect(lines[1]).toMatch(/^Hint: /);
    }
  });

  it("node init --from-dir makes a home from mounted files, and says what is missing", async () => {
    const src = join(home, "devnets", "exp", "node1");
    const target = join(home, "copied");
    const r = await runCli(["node", "init", "--home", target, "--from-dir", src, "--json"], { home });
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(readFileSync(join(home, "devnets", "exp", "devnet.json"), "utf8"));
    expect(r.json()).toMatchObject({ created: true, validator: rec.nodes[1].validator });
    expect(statSync(join(target, "validator-key.json")).mode & 0o777).toBe(0o600);
    const empty = join(home, "empty");
    const bad = await runCli(["node", "init", "--home", join(home, "x"), "--from-dir", empty], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: no genesis\.json in /);
    expect(bad.stderr).toMatch(/Hint: mount the network's genesis\.json/);
  });
});
