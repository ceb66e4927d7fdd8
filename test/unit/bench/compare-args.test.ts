import { describe, expect, it } from "vitest";
import { CompareArgError, parseCompareArgs } from "../../../bench/compare-args.js";

describe("bench:compare arguments", () => {
  it("defaults to main, 3 pairs of 20 s on 4 validators", () => {
    expect(parseCompareArgs([])).toEqual({
      ref: "main",
      pairs: 3,
      durationS: 20,
      validators: 4,
      json: false,
      help: false,
    });
  });

  it("reads a ref and every option, spaced or with =", () => {
    expect(parseCompareArgs(["542b716", "--pairs", "5", "--duration", "1m", "-n", "3", "--json"])).toEqual({
      ref: "542b716",
      pairs: 5,
      durationS: 60,
      validators: 3,
      json: true,
      help: false,
    });
    expect(parseCompareArgs(["--pairs=4", "--duration=30s", "--validators=2", "HEAD~1"])).toMatchObject({
      ref: "HEAD~1",
      pairs: 4,
      durationS: 30,
      validators: 2,
    });
    expect(parseCompareArgs(["--duration", "45"]).durationS).toBe(45);
    expect(parseCompareArgs(["-h"]).help).toBe(true);
  });

  it.each([
    [["--pairs", "0"], "--pairs takes an integer from 1 to 10, got 0"],
    [["--pairs", "11"], "--pairs takes an integer from 1 to 10, got 11"],
    [["--pairs", "2.5"], "--pairs takes an integer from 1 to 10, got 2.5"],
    [["--pairs"], "--pairs takes an integer from 1 to 10, got nothing"],
    [["--duration", "0s"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 0s"],
    [["--duration", "3m"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 3m"],
    [["--duration", "500ms"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 500ms"],
    [["-n", "17"], "-n takes an integer from 1 to 16, got 17"],
    [["--max"], "unknown option --max (see --help)"],
    [["--json=yes"], "unknown option --json=yes (see --help)"],
    [["main", "HEAD"], 'one REF only, got "main" and "HEAD"'],
  ])("rejects %j with one line", (argv, message) => {
    expect(() => parseCompareArgs(argv)).toThrow(CompareArgError);
    expect(() => parseCompareArgs(argv)).toThrow(message);
  });
});
