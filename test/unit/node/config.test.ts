import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  ConfigError,
  ConfigSchema,
  configPaths,
  envLayer,
  mergeLayers,
  parseConfigText,
  validateConfig,
} from "../../../src/node/config.js";

const TEMPLATE = resolve(import.meta.dirname, "../../../templates/config.yaml");

function issues(layer: Record<string, unknown>): string[] {
  try {
    validateConfig(layer, "test");
  } catch (err) {
    if (err instanceof ConfigError && err.type.code === "CONFIG_INVALID") return err.type.issues;
    throw err;
  }
  return [];
}

describe("node config", () => {
  it("templates/config.yaml documents every key with its real default", () => {
    const template = parse(readFileSync(TEMPLATE, "utf8"));
    expect(validateConfig(template, "template")).toEqual(ConfigSchema.parse({}));
    const flat = (o: Record<string, unknown>, p = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === "object" && v !== null && !Array.isArray(v)
          ? flat(v as Record<string, unknown>, `${p}${k}.`)
          : [`${p}${k}`],
      );
    expect(flat(template).sort()).toEqual(configPaths().sort());
  });

  it("rejects unknown keys and bad values, naming the key", () => {
    expect(issues({ p2p: { lisen: "127.0.0.1:1" } })).toEqual(['unknown key "p2p.lisen"']);
    expect(issues({ api: { listen: "nowhere" } })[0]).toMatch(/^api\.listen: must be HOST:PORT/);
    expect(issues({ mempool: { maxTxs: -1 } })[0]).toMatch(/^mempool\.maxTxs:/);
    expect(issues({ log: { level: "loud" } })[0]).toMatch(/^log\.level:/);
    expect(issues({ p2p: { peers: ["http://x:1"] } })[0]).toMatch(/^p2p\.peers\.0: must be a ws:\/\/ URL/);
  });

  it("layers file < env < flags", () => {
    const file = { moniker: "from-file", p2p: { listen: "127.0.0.1:1", maxPeers: 3 } };
    const env = envLayer({
      FASTPOS_P2P_LISTEN: "127.0.0.1:2",
      FASTPOS_DEVNET_FAULTS: "true",
      FASTPOS_P2P_PEERS: "ws://127.0.0.1:5, ws://127.0.0.1:6",
      FASTPOS_HOME: "/ignored",
    });
    const flags = { p2p: { listen: "127.0.0.1:3" } };
    const cfg = validateConfig(mergeLayers(file, env, flags), "test");
    expect(cfg.moniker).toBe("from-file");
    expect(cfg.p2p.listen).toBe("127.0.0.1:3");
    expect(cfg.p2p.maxPeers).toBe(3);
    expect(cfg.p2p.peers).toEqual(["ws://127.0.0.1:5", "ws://127.0.0.1:6"]);
    expect(cfg.devnet.faults).toBe(true);
  });

  it("a bad env value is reported with the key it maps to", () => {
    expect(issues(envLayer({ FASTPOS_MEMPOOL_MAX_TXS: "lots" }))[0]).toMatch(/^mempool\.maxTxs:/);
  });

  // Found by `npm run fuzz -- config`: 5000 nested flow mappings aborted the process (V8 out of memory in
  // the YAML parser), which no try/catch can turn into an error.
  it("refuses a config nested thousands deep with CONFIG_UNREADABLE instead of crashing", () => {
    const code = (text: string) => {
      try {
        parseConfigText(text, "config.yaml");
        return "parsed";
      } catch (err) {
        return err instanceof ConfigError ? err.type.code : `untyped: ${String(err)}`;
      }
    };
    expect(code(`${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`)).toBe("CONFIG_UNREADABLE");
    expect(code(`${"[".repeat(20000)}${"]".repeat(20000)}`)).toBe("CONFIG_UNREADABLE");
    expect(code(`moniker: "${"x".repeat(300 * 1024)}"\n`)).toBe("CONFIG_UNREADABLE");
    expect(code('p2p:\n  peers: ["ws://a:1", "ws://b:2"]\nmoniker: "[{[{"\n')).toBe("parsed");
  });
});
