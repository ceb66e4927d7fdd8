import { describe, expect, it } from "vitest";
import { errorToJson } from "../../../src/cli/errors.js";
import { FastposError } from "../../../src/core/errors.js";

/** Issue 19 item 10: on `mainnet-like` (minimum fee) the default fee 0 failed with no hint at `--fee`. */
describe("hints for node rejections the CLI can fix", () => {
  it("a fee below the chain's minimum points at --fee with the minimum", () => {
    const err = new FastposError({ code: "TX_FEE_TOO_LOW", min: "10", got: "0" }, "fee 0 below minimum 10");
    expect(errorToJson(err).error.hint).toBe(
      "pass --fee 10 or more: this chain has a minimum fee (the mainnet-like preset does)",
    );
  });
  it("an underpriced replacement points at a higher --fee", () => {
    const err = new FastposError({ code: "MEMPOOL_REPLACEMENT_UNDERPRICED", minFee: "11" }, "underpriced");
    expect(errorToJson(err).error.hint).toBe("pass a higher --fee (at least 11)");
  });
});

/** Every user error prints one line and a hint (the developers' guide): the common tx rejections too. */
describe("hints for the common tx rejections and an unreachable node", () => {
  const hint = (data: { code: string } & Record<string, unknown>) =>
    errorToJson(new FastposError(data, "rejected")).error.hint;
  it("name the command or flag that fixes them", () => {
    expect(hint({ code: "TX_BELOW_MIN_STAKE", min: "1000", got: "10" })).toBe(
      "pass --amount 1000 or more (the chain's minimum self-stake)",
    );
    expect(hint({ code: "TX_UNKNOWN_VALIDATOR", validator: "fp1x" })).toMatch(/--validator/);
    expect(hint({ code: "TX_INSUFFICIENT_FUNDS", need: "2", have: "1" })).toMatch(/fastpos query account/);
    expect(hint({ code: "TX_JAILED_UNTIL", validator: "fp1x", until: "120" })).toMatch(/height 120/);
    expect(hint({ code: "NODE_UNREACHABLE", url: "http://127.0.0.1:1" })).toMatch(/--node URL/);
    expect(hint({ code: "KEYSTORE_PASSWORD_REQUIRED", name: "b" })).toMatch(/FASTPOS_PASSWORD/);
  });
  it("an error's own hint wins over the table's", () => {
    expect(hint({ code: "TX_ZERO_AMOUNT", hint: "its own" })).toBe("its own");
  });
});

/** oclif reports a bad flag value as "Parsing --flag" and the problem on the next line: one problem. */
describe("a bad flag value", () => {
  it("is one problem naming the flag", () => {
    const err = Object.assign(
      new Error("Parsing --validators \n\tExpected an integer greater than or equal to 1 but received: 0"),
      { oclif: { exit: 2 } },
    );
    expect(errorToJson(err).error.message).toBe(
      "--validators: Expected an integer greater than or equal to 1 but received: 0",
    );
  });
});
