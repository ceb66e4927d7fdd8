import { describe, expect, it } from "vitest";
import { voteSignBytes } from "../../../src/core/chain/index.js";
import { getPublicKey, verify } from "../../../src/core/crypto/index.js";
import { isFastposError } from "../../../src/core/errors.js";
import { assertByzantineAllowed, conflictingVote, isDevnetChainId } from "../../../src/node/byzantine.js";
import { validateConfig } from "../../../src/node/config.js";
import { unguardedSigner } from "../../../src/node/signer.js";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isFastposError(err)) return err.code;
    throw err;
  }
  return undefined;
};

describe("byzantine mode (issue 15)", () => {
  it("takes only the chain ids devnets get", () => {
    expect(isDevnetChainId("fastpos-local")).toBe(true);
    expect(isDevnetChainId("fastpos-slash-e2e")).toBe(true);
    for (const id of [
      "fastpos-mainnet",
      "fastpos-main",
      "cosmoshub-4",
      "fastpos-",
      "Fastpos-x",
      "fastpos-a b",
    ])
      expect(isDevnetChainId(id), id).toBe(false);
  });

  it("refuses to run without unsafe.enabled, off a devnet chain, or without a validator key", () => {
    const ok = { unsafe: true, chainId: "fastpos-local", validator: true };
    expect(codeOf(() => assertByzantineAllowed(ok))).toBeUndefined();
    expect(codeOf(() => assertByzantineAllowed({ ...ok, unsafe: false }))).toBe("BYZANTINE_NOT_UNSAFE");
    expect(codeOf(() => assertByzantineAllowed({ ...ok, chainId: "fastpos-mainnet" }))).toBe(
      "BYZANTINE_NOT_DEVNET",
    );
    expect(codeOf(() => assertByzantineAllowed({ ...ok, validator: false }))).toBe(
      "BYZANTINE_NO_VALIDATOR_KEY",
    );
  });

  it("is off by default and its config keys are strict", () => {
    const c = validateConfig({}, "test");
    expect(c.unsafe).toEqual({ enabled: false, byzantine: null });
    expect(
      validateConfig({ unsafe: { byzantine: { equivocate: "precommit" } } }, "t").unsafe.byzantine,
    ).toEqual({
      equivocate: "precommit",
      split: false,
    });
    expect(
      validateConfig({ unsafe: { byzantine: { equivocate: "prevote", split: true } } }, "t").unsafe.byzantine,
    ).toEqual({ equivocate: "prevote", split: true });
    expect(codeOf(() => validateConfig({ unsafe: { byzantine: { equivocate: "blocks" } } }, "t"))).toBe(
      "CONFIG_INVALID",
    );
    expect(codeOf(() => validateConfig({ unsafe: { byzantine: "yes" } }, "t"))).toBe("CONFIG_INVALID");
  });

  it("signs a vote that conflicts with the honest one, verifiably, without the guard", () => {
    const secret = new Uint8Array(32).fill(7);
    const pk = getPublicKey(secret);
    const sign = unguardedSigner(secret, pk);
    const v = {
      type: "prevote" as const,
      height: 5n,
      round: 0,
      blockHash: new Uint8Array(32).fill(1),
      validator: new Uint8Array(20),
    };
    const nil = conflictingVote(v);
    expect(nil.blockHash).toBeNull();
    expect(conflictingVote(nil).blockHash).not.toBeNull();
    // Twice at the same height/round/step: a guarded signer would refuse the second.
    expect(verify(pk, voteSignBytes("c", v), sign(voteSignBytes("c", v)))).toBe(true);
    expect(verify(pk, voteSignBytes("c", nil), sign(voteSignBytes("c", nil)))).toBe(true);
  });
});
