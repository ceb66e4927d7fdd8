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
