import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDefaultGenesis, genesisToJson } from "../../../src/core/chain/genesis.js";
import { toHex } from "../../../src/core/codec/index.js";
import { getPublicKey } from "../../../src/core/crypto/index.js";
import { loadConfig } from "../../../src/node/config.js";
import { readKeyFile } from "../../../src/node/home.js";
import { initHomeFromSource } from "../../../src/node/init-home.js";
import {
  indexFromHostname,
  parseSecretKey,
  readInitDir,
  readInitEnv,
} from "../../../src/node/init-source.js";
import { tempDir } from "../../helpers/cli.js";

const secret = (b: number) => new Uint8Array(32).fill(b);
const keyJson = (sk: Uint8Array) =>
  JSON.stringify({ publicKey: toHex(getPublicKey(sk)), secretKey: toHex(sk) });
const genesis = genesisToJson(createDefaultGenesis());

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function tmp(): string {
  const t = tempDir("fastpos-init-");
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("init sources (homes that travel)", () => {
  it("reads a key as 64 hex digits, 0x-hex or a key file's JSON, and refuses a mismatched publicKey", () => {
    const sk = secret(7);
    expect(parseSecretKey(toHex(sk).slice(2), "k")).toEqual(sk);
    expect(parseSecretKey(`${toHex(sk)}\n`, "k")).toEqual(sk);
    expect(parseSecretKey(keyJson(sk), "k")).toEqual(sk);
    const wrong = JSON.stringify({ publicKey: toHex(getPublicKey(secret(8))), secretKey: toHex(sk) });
    expect(() => parseSecretKey(wrong, "k")).toThrow(/publicKey does not match/);
  });

  it("never puts a secret into an error message", () => {
    const almost = `${toHex(secret(9)).slice(2)}zz`;
    try {
      parseSecretKey(almost, "/run/secrets/validator-key.json");
      expect.fail("accepted a bad key");
    } catch (err) {
      expect((err as Error).message).toContain("/run/secrets/validator-key.json");
      expect((err as Error).message).not.toContain(almost.slice(0, 16));
    }
  });

  it("prefers N.<file> over <file> with an index, and searches several dirs in order", () => {
    const a = tmp();
    const b = tmp();
    writeFileSync(join(b, "genesis.json"), genesis);
    writeFileSync(join(a, "validator-key.json"), keyJson(secret(1)));
    writeFileSync(join(a, "2.validator-key.json"), keyJson(secret(2)));
    writeFileSync(join(b, "2.config.yaml"), "moniker: two\n");
    const src = readInitDir([a, b], 2);
    expect(src.validatorKey).toEqual(secret(2));
    expect(src.config).toEqual({ moniker: "two" });
    expect(readInitDir([a, b]).validatorKey).toEqual(secret(1));
    expect(() => readInitDir([a])).toThrow(/no genesis\.json/);
    expect(() => readInitDir([a, b], 5)).toThrow(/no files for ordinal 5/);
  });

  it("takes the StatefulSet ordinal from the pod's hostname", () => {
    expect(indexFromHostname("fastpos-local-3")).toBe(3);
    expect(() => indexFromHostname("fastpos")).toThrow(/no ordinal/);
  });

  it("reads the environment form, genesis as JSON or base64", () => {
    const env = {
      FASTPOS_INIT_GENESIS: `base64:${Buffer.from(genesis).toString("base64")}`,
      FASTPOS_INIT_VALIDATOR_KEY: toHex(secret(3)),
      FASTPOS_INIT_CONFIG: "moniker: envnode\n",
    };
    const src = readInitEnv(env);
    expect(src.genesisText).toBe(genesis);
    expect(src.validatorKey).toEqual(secret(3));
    expect(() => readInitEnv({})).toThrow(/FASTPOS_INIT_GENESIS is not set/);
  });
});

describe("initHomeFromSource", () => {
  const source = (over: object = {}) => ({
    origin: "test",
    genesisText: genesis,
    config: { moniker: "n0", p2p: { listen: "0.0.0.0:26656" } },
    validatorKey: secret(4),
    nodeKey: secret(5),
    adminToken: "tok",
    ...over,
  });

  it("makes a home whose key files are 0600 and whose config points at them", () => {
    const home = join(tmp(), "home");
    const r = initHomeFromSource(home, source());
    expect(r.created).toBe(true);
    for (const f of ["validator-key.json", "node-key.json", "admin-token"])
      expect(statSync(join(home, f)).mode & 0o777).toBe(0o600);
    expect(readKeyFile(join(home, "validator-key.json")).secretKey).toEqual(secret(4));
    expect(readFileSync(join(home, "admin-token"), "utf8").trim()).toBe("tok");
    const cfg = loadConfig(home);
    expect(cfg).toMatchObject({
      moniker: "n0",
      validatorKey: "validator-key.json",
      nodeKey: "node-key.json",
    });
    expect(r.nodeId).toBe(toHex(getPublicKey(secret(5))));
  });

  it("keeps keys and data on a second start and applies the new config", () => {
    const home = join(tmp(), "home");
    initHomeFromSource(home, source());
    mkdirSync(join(home, "data", "chain"), { recursive: true });
    writeFileSync(join(home, "data", "chain", "marker"), "x");
    const r = initHomeFromSource(home, source({ config: { moniker: "renamed" } }));
    expect(r.created).toBe(false);
    expect(readFileSync(join(home, "data", "chain", "marker"), "utf8")).toBe("x");
    expect(loadConfig(home).moniker).toBe("renamed");
  });

  it("refuses a volume that holds another validator or another chain", () => {
    const home = join(tmp(), "home");
    initHomeFromSource(home, source());
    expect(() => initHomeFromSource(home, source({ validatorKey: secret(6) }))).toThrow(
      /validator key differs/,
    );
    const other = genesisToJson({ ...createDefaultGenesis(), chainId: "other-chain" });
    expect(() => initHomeFromSource(home, source({ genesisText: other }))).toThrow(/genesis differs/);
  });

  it("rejects a bad genesis or config before writing anything", () => {
    const home = join(tmp(), "home");
    expect(() => initHomeFromSource(home, source({ genesisText: "{" }))).toThrow(/not valid JSON/);
    expect(() => initHomeFromSource(home, source({ config: { bogus: 1 } }))).toThrow(/unknown key "bogus"/);
    expect(() => statSync(home)).toThrow();
  });
});
