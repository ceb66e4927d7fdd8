import { describe, expect, it } from "vitest";
import { PRESETS } from "../../../src/core/chain/params.js";
import { isFastposError } from "../../../src/core/errors.js";
import { parseManifest } from "../../../src/devnet/manifest.js";
import { resolveDevnet, resolveParams } from "../../../src/devnet/resolve.js";

describe("devnet manifest params overrides (issue 15: quick slashing tests)", () => {
  it("overrides preset params, u64s given as numbers, and puts them in the genesis", () => {
    const m = parseManifest({
      params: { signedBlocksWindow: 20, downtimeJailDuration: 8, timeouts: { commitWait: 10 } },
    });
    const p = resolveParams(m);
    expect(p).toEqual({
      ...PRESETS.dev,
      signedBlocksWindow: 20,
      downtimeJailDuration: 8n,
      timeouts: { ...PRESETS.dev.timeouts, commitWait: 10 },
    });
    expect(resolveParams(parseManifest({}))).toEqual(PRESETS.dev);
    const plan = resolveDevnet(
      m,
      Array.from({ length: 10 }, (_, i) => 30_000 + i),
    );
    expect(plan.genesis.params.signedBlocksWindow).toBe(20);
  });

  it("rejects unknown keys and out-of-bounds values, naming each params key", () => {
    let issues: string[] = [];
    try {
      resolveParams(
        parseManifest({ params: { signedBlocksWindow: 0, slashFractionDoubleSign: 20_000, nope: 1 } }),
      );
    } catch (err) {
      if (!isFastposError(err, "MANIFEST_INVALID")) throw err;
      issues = (err as unknown as { type: { issues: string[] } }).type.issues;
    }
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^params\.signedBlocksWindow: /),
        expect.stringMatching(/^params\.slashFractionDoubleSign: /),
        'unknown key "params.nope"',
      ]),
    );
  });
});
