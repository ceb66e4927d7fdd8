import { describe, expect, it } from "vitest";
import { parseScaleArgs, ScaleArgError } from "../../../bench/scale-args.js";

describe("bench:scale arguments", () => {
  it("defaults to 4, 7, 10 and 16 validators, 3 runs of 20 s, 20 idle transfers", () => {
    expect(parseScaleArgs([])).toEqual({
      sizes: [4, 7, 10, 16],
      runs: 3,
      durationS: 20,
      idleTxs: 20,
      json: false,
      renderOnly: false,
      help: false,
    });
  });

  it("reads every option, spaced or with =, and sorts the sizes", () => {
    expect(
      parseScaleArgs(["--sizes", "10,4", "--runs", "5", "--duration", "1m", "--idle-txs", "0", "--json"]),
    ).toEqual({
      sizes: [4, 10],
      runs: 5,
      durationS: 60,
      idleTxs: 0,
      json: true,
      renderOnly: false,
      help: false,
    });
    expect(parseScaleArgs(["--render"]).renderOnly).toBe(true);
    expect(parseScaleArgs(["--sizes=1", "--runs=10", "--duration=120s", "--idle-txs=200"])).toMatchObject({
      sizes: [1],
      runs: 10,
      durationS: 120,
      idleTxs: 200,
    });
    expect(parseScaleArgs(["--duration", "45"]).durationS).toBe(45);
    expect(parseScaleArgs(["-h"]).help).toBe(true);
  });

  const sizesMsg = (got: string) =>
    `--sizes takes distinct validator counts from 1 to 16, comma-separated (e.g. 4,7,10,16), got ${got}`;
  it.each([
    [["--runs", "0"], "--runs takes an integer from 1 to 10, got 0"],
    [["--runs", "11"], "--runs takes an integer from 1 to 10, got 11"],
    [["--runs", "-1"], "--runs takes an integer from 1 to 10, got -1"],
    [["--runs"], "--runs takes an integer from 1 to 10, got nothing"],
    [["--duration", "0s"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 0s"],
    [["--duration", "121s"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 121s"],
    [["--duration", "3m"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 3m"],
    [["--duration", "2h"], "--duration takes 1s to 120s (e.g. 20s or 1m), got 2h"],
    [["--idle-txs", "201"], "--idle-txs takes an integer from 0 to 200, got 201"],
    [["--sizes", "4,17"], sizesMsg("4,17")],
    [["--sizes", "0,4"], sizesMsg("0,4")],
    [["--sizes", "4,4"], sizesMsg("4,4")],
    [["--sizes", "4,,7"], sizesMsg("4,,7")],
    [["--sizes", "4 7"], sizesMsg("4 7")],
    [["--sizes"], sizesMsg("nothing")],
    [["--max"], "unknown option --max (see --help)"],
    [["--json=yes"], "unknown option --json=yes (see --help)"],
    [["--render=1"], "unknown option --render=1 (see --help)"],
    [["16"], 'unexpected argument "16" (see --help)'],
  ])("rejects %j with one line", (argv, message) => {
    expect(() => parseScaleArgs(argv)).toThrow(ScaleArgError);
    expect(() => parseScaleArgs(argv)).toThrow(message);
    expect(message).not.toContain("\n");
  });
});
