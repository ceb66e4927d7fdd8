import { describe, expect, it } from "vitest";
import { errorToJson } from "../../../src/cli/errors.js";
import { START_MARK } from "../../../src/devnet/providers/process.js";
import { startFailure } from "../../../src/devnet/start-failure.js";

const json = (lines: string[]) => errorToJson(startFailure("node2", lines, "/h/node2/logs/stdout.log")).error;

describe("a node that died at start", () => {
  it("is reported with the node's own error line and hint, the output kept as data", () => {
    const e = json([
      "Error: cannot open the database /h/db: Corruption: checksum mismatch",
      "Hint: restore it from a backup",
    ]);
    expect(e.code).toBe("DEVNET_START_FAILED");
    expect(e.message).toBe(
      "node node2 exited during start-up: cannot open the database /h/db: Corruption: checksum mismatch",
    );
    expect(e.message).not.toContain("\n");
    expect(e.hint).toBe("restore it from a backup (its whole output: /h/node2/logs/stdout.log)");
    expect(e.data?.output).toHaveLength(2);
  });

  it("ignores what an earlier run printed to the same file", () => {
    const e = json([
      "Error: validator key is in use by process 7",
      "fastpos node running: API http://127.0.0.1:1, p2p ws://127.0.0.1:2, node id ab",
      "received SIGTERM, stopping…",
      "Segmentation fault (core dumped)",
    ]);
    expect(e.message).toBe(
      "node node2 exited during start-up; its last output: Segmentation fault (core dumped)",
    );
    expect(e.hint).toBe("its whole output: /h/node2/logs/stdout.log");
    expect(e.data?.output).toEqual(["Segmentation fault (core dumped)"]);
  });

  it("starts this run's output at the line the process provider writes before each start", () => {
    const earlier = ["Error: cannot open the database /h/db: IO error", "Hint: check the disk"];
    const e = json([...earlier, `${START_MARK} 2026-12-02T07:00:00.000Z`]);
    expect(e.message).toBe("node node2 exited during start-up without printing anything");
    expect(json([...earlier, `${START_MARK} 2026-12-02T07:00:00.000Z`, ...earlier]).data?.output).toEqual(
      earlier,
    );
  });

  it("says so when the node printed nothing", () => {
    const e = json(["fastpos node running: API http://127.0.0.1:1, p2p ws://127.0.0.1:2, node id ab"]);
    expect(e.message).toBe("node node2 exited during start-up without printing anything");
  });
});
