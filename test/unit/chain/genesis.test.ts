import { describe, expect, it } from "vitest";
import {
  createDefaultGenesis,
  createGenesis,
  deriveDevValidators,
  GenesisError,
  genesisToJson,
  hashGenesis,
  validateGenesis,
} from "../../../src/core/chain/genesis.js";
import { toHex } from "../../../src/core/codec/index.js";

function issues(json: unknown): string[] {
  try {
    validateGenesis(json);
  } catch (err) {
    if (err instanceof GenesisError) return err.type.issues;
    throw err;
  }
  return [];
}

const base = () => JSON.parse(genesisToJson(createDefaultGenesis()));

describe("genesis", () => {
  it("is deterministic: same inputs, byte-identical JSON and the same hash", () => {
    const a = createDefaultGenesis({ validators: 5 });
    const b = createDefaultGenesis({ validators: 5 });
    expect(genesisToJson(a)).toBe(genesisToJson(b));
    expect(toHex(hashGenesis(a))).toBe(toHex(hashGenesis(b)));
    expect(toHex(hashGenesis(a))).not.toBe(toHex(hashGenesis(createDefaultGenesis({ validators: 4 }))));
  });

  it("round-trips through its JSON form", () => {
    const g = createDefaultGenesis();
    const again = validateGenesis(JSON.parse(genesisToJson(g)));
    expect(genesisToJson(again)).toBe(genesisToJson(g));
    expect(hashGenesis(again)).toEqual(hashGenesis(g));
  });

  it("hashes the canonical encoding, so any field change changes the hash", () => {
    const g = createDefaultGenesis();
    const h = toHex(hashGenesis(g));
    const tweak = (f: (j: any) => void) => {
      const j = base();
      f(j);
      return toHex(hashGenesis(validateGenesis(j)));
    };
    expect(tweak((j) => (j.chainId = "other"))).not.toBe(h);
    expect(tweak((j) => (j.accounts[0].balance = "1"))).not.toBe(h);
    expect(tweak((j) => (j.validators[0].workWeight = 20000))).not.toBe(h);
    expect(tweak((j) => (j.params.timeouts.commitWait = 1))).not.toBe(h);
    expect(tweak((j) => (j.genesisTime = "2026-01-01T00:00:00.001Z"))).not.toBe(h);
  });

  it("names the JSON path of each bad field", () => {
    expect(issues({ ...base(), accounts: [{ address: "fp1nope", balance: "1" }] })).toEqual([
      "accounts[0].address: must be an fp1… bech32m address",
    ]);
    const j = base();
    j.accounts[1].balance = "-5";
    j.validators[2].consensusKey = `0x${"00".repeat(32)}`;
    j.params.maxValidators = 0;
    const got = issues(j);
    expect(got).toContain("accounts[1].balance: must be a decimal integer string");
    expect(got.some((i) => i.startsWith("validators[2].consensusKey:"))).toBe(true);
    expect(got.some((i) => i.startsWith("params.maxValidators:"))).toBe(true);
    expect(issues({ ...base(), extra: 1 })).toEqual(['(root): unknown key(s) "extra"']);
    expect(issues({ ...base(), validators: undefined })).toEqual(["validators: is required"]);
  });

  it("rejects duplicates, supply overflow, too little stake and a balance over u64", () => {
    const j = base();
    j.accounts.push({ ...j.accounts[0] });
    expect(issues(j)).toEqual([`accounts[${j.accounts.length - 1}].address: duplicate of accounts[0]`]);
    const k = base();
    k.accounts[0].balance = "18446744073709551615";
    expect(issues(k)).toEqual(["accounts: total supply (balances + stakes) exceeds 2^64-1"]);
    const l = base();
    l.validators[0].stake = "1";
    expect(issues(l)[0]).toMatch(/^validators\[0\]\.stake: below params\.minSelfStake/);
    const m = base();
    m.accounts[0].balance = "18446744073709551616";
    expect(issues(m)[0]).toMatch(/^accounts\[0\]\.balance: must be ≤/);
  });

  it("refuses a genesisTime before 1970, which it could not hash (found by fuzzing)", () => {
    // The fuzzer's input: a real ISO date, so it validated, then hashGenesis threw CODEC_INVALID_VALUE
    // (u64 out of range at .genesisTimeMs) instead of a GENESIS_INVALID naming the field.
    expect(issues({ ...base(), genesisTime: "0026-01-01T00:00:00.000Z" })).toEqual([
      "genesisTime: before 1970-01-01T00:00:00.000Z (times are unsigned milliseconds since then)",
    ]);
    expect(issues({ ...base(), genesisTime: "1969-12-31T23:59:59.999Z" })).toHaveLength(1);
    const epoch = validateGenesis({ ...base(), genesisTime: "1970-01-01T00:00:00.000Z" });
    expect(hashGenesis(epoch)).toHaveLength(32);
  });

  it("derives distinct validator operator and consensus keys", () => {
    const { validators } = deriveDevValidators(3);
    expect(new Set(validators.map((v) => v.operator)).size).toBe(3);
    expect(new Set(validators.map((v) => toHex(v.consensusKey))).size).toBe(3);
    const g = createGenesis({ validators, chainId: "c", preset: "mainnet-like" });
    expect(g.params.epochLength).toBe(1000n);
  });
});
