import { describe, expect, it } from "vitest";
import { maxMissedBlocks } from "../../../src/core/chain/apply/downtime.js";
import {
  createDefaultGenesis,
  GenesisError,
  genesisToJson,
  hashGenesis,
  validateGenesis,
} from "../../../src/core/chain/genesis.js";
import { PRESET_NAMES, PRESETS } from "../../../src/core/chain/params.js";
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

const base = (preset: (typeof PRESET_NAMES)[number] = "dev") =>
  JSON.parse(genesisToJson(createDefaultGenesis({ preset })));

describe("slashing params in genesis", () => {
  it("every preset carries them and passes its own bounds", () => {
    for (const preset of PRESET_NAMES) {
      const j = base(preset);
      expect(issues(j)).toEqual([]);
      expect(Object.keys(j.params)).toEqual(
        expect.arrayContaining([
          "evidenceMaxAgeBlocks",
          "maxBlockEvidence",
          "maxBlockEvidenceBytes",
          "slashFractionDoubleSign",
          "signedBlocksWindow",
          "minSignedPerWindow",
          "downtimeJailDuration",
          "slashFractionDowntime",
        ]),
      );
    }
  });

  it("jails only a validator that is really down on the presets (more than 95% of the window missed)", () => {
    expect(maxMissedBlocks(PRESETS.dev)).toBe(95n);
    expect(maxMissedBlocks(PRESETS.test)).toBe(95n);
    expect(maxMissedBlocks(PRESETS["mainnet-like"])).toBe(9_500n);
    expect(maxMissedBlocks({ ...PRESETS.dev, minSignedPerWindow: 10_000 })).toBe(0n); // every block
    expect(maxMissedBlocks({ ...PRESETS.dev, minSignedPerWindow: 0 })).toBe(100n); // never
  });

  it("names the JSON path of each out-of-bounds value", () => {
    const j = base();
    j.params.slashFractionDoubleSign = 10_001;
    j.params.slashFractionDowntime = -1;
    j.params.minSignedPerWindow = 1.5;
    j.params.signedBlocksWindow = 0;
    j.params.maxBlockEvidence = 257;
    j.params.maxBlockEvidenceBytes = 100;
    j.params.evidenceMaxAgeBlocks = "0";
    j.params.downtimeJailDuration = "x";
    const got = issues(j);
    for (const field of [
      "slashFractionDoubleSign",
      "slashFractionDowntime",
      "minSignedPerWindow",
      "signedBlocksWindow",
      "maxBlockEvidence",
      "maxBlockEvidenceBytes",
      "evidenceMaxAgeBlocks",
      "downtimeJailDuration",
    ])
      expect(got.some((i) => i.startsWith(`params.${field}:`))).toBe(true);
    expect(got).toContain("params.slashFractionDoubleSign: is in basis points: at most 10000 (100%)");
    const missing = base();
    delete missing.params.signedBlocksWindow;
    expect(issues(missing)).toEqual(["params.signedBlocksWindow: is required"]);
  });

  it("keeps evidence from outliving the unbonding period, and evidence bytes within a block", () => {
    const j = base();
    j.params.evidenceMaxAgeBlocks = String(
      BigInt(j.params.unbondingEpochs) * BigInt(j.params.epochLength) + 1n,
    );
    expect(issues(j)).toEqual([
      "params.evidenceMaxAgeBlocks: must be ≤ unbondingEpochs × epochLength (20), or stake could finish unbonding before the evidence against it expires",
    ]);
    const k = base();
    k.params.maxBlockEvidenceBytes = 1 << 20;
    k.params.maxBlockBytes = 1 << 19;
    expect(issues(k)).toEqual([`params.maxBlockEvidenceBytes: must be ≤ params.maxBlockBytes (${1 << 19})`]);
  });

  it("commits to them in the genesis hash", () => {
    const h = toHex(hashGenesis(validateGenesis(base())));
    const j = base();
    j.params.slashFractionDowntime = 7;
    expect(toHex(hashGenesis(validateGenesis(j)))).not.toBe(h);
  });
});
