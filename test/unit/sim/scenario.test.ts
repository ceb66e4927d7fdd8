import { describe, expect, it } from "vitest";
import { parseSimScenario } from "../../../src/sim/scenario.js";

describe("sim scenario files", () => {
  it("parses network, byzantine validators and timed faults", () => {
    const s = parseSimScenario(
      [
        "validators: 7",
        "links: { latency: 150ms, loss: 0.01 }",
        "byzantine:",
        "  - nodes: [0]",
        "    behaviours: [equivocate-prevote, { kind: late, delay: 2s }]",
        "faults:",
        "  - at: 10s",
        '    crash: ["1..2"]',
        "  - at: { height: 20 }",
        "    restart: [v1, 2]",
        "  - at: 5s",
        "    partition: [[0, 1], [2]]",
      ].join("\n"),
    );
    expect(s.validators).toBe(7);
    expect(s.links).toEqual({ latencyMs: 150, loss: 0.01 });
    expect(s.byzantine?.[0]?.behaviours).toEqual([
      { kind: "equivocate-prevote" },
      { kind: "late", delayMs: 2000 },
    ]);
    expect(s.faults?.[0]).toMatchObject({ kind: "crash", nodes: [1, 2], at: { timeMs: 10_000 } });
    expect(s.faults?.[1]).toMatchObject({ kind: "restart", nodes: [1, 2], at: { height: 20 } });
  });

  it("names the line of every problem", () => {
    const text = [
      "validators: 4",
      "links:",
      "  latency: fast",
      "faults:",
      "  - at: 1s",
      "    explode: [1]",
      "  - at: 2s",
      "    crash: [9]",
    ].join("\n");
    expect(() => parseSimScenario(text, "s.yaml")).toThrow(/line 3: links\.latency/);
    try {
      parseSimScenario(
        ["faults:", "  - at: 1s", "    explode: [1]", "  - at: 2s", "    crash: [9]", "validators: 4"].join(
          "\n",
        ),
        "s.yaml",
      );
      expect.unreachable();
    } catch (err) {
      const issues = (err as { data: { issues: string[] } }).data.issues;
      expect(issues[0]).toMatch(/^line 2: faults\[0\]: unknown action "explode"/);
      expect(issues[1]).toMatch(/^line 4: faults\[1\]: validator 9 does not exist/);
    }
  });

  it("reports YAML syntax errors with their line", () => {
    expect(() => parseSimScenario("validators: 4\nlinks: [unclosed\n")).toThrow(/line \d+/);
  });
});
