import { describe, expect, it } from "vitest";
import { reportJunit, reportText } from "../../../src/devnet/scenario/report.js";
import type { ScenarioReport } from "../../../src/devnet/scenario/run.js";
import { readJunit } from "../../helpers/junit.js";
import { parseXml } from "../../helpers/xml.js";

const report: ScenarioReport = {
  scenario: "demo",
  file: "devnets/scenarios/demo.yaml",
  seed: "7",
  devnet: "test-demo",
  provider: "process",
  passed: false,
  durationMs: 12_345,
  steps: [
    { name: "01 up", line: 3, status: "passed", message: "ok", durationMs: 1500 },
    {
      name: "02 assert <\"odd\"> & 'quoted'",
      line: 4,
      status: "failed",
      message: "height 5 < 6 & stuck \u0007",
      details: ["node1 <stuck>"],
      durationMs: 20,
    },
    { name: "03 heal", line: 5, status: "skipped", message: "an earlier step failed" },
  ],
  invariants: [
    { name: "one block hash per height", status: "passed", message: "12 heights", durationMs: 3 },
    {
      name: "supply conserved",
      status: "failed",
      message: "supply changed on 1 nodes",
      details: ["node1 at height 9: +1"],
      durationMs: 4,
    },
  ],
  loads: [],
};

describe("scenario reports", () => {
  it("JUnit XML is well-formed, escaped, and has one testcase per step and invariant", () => {
    const xml = reportJunit(report, new Date("2026-01-02T03:04:05Z"));
    const { suites, cases } = readJunit(xml);
    expect(suites).toHaveLength(1);
    expect(suites[0]?.attrs).toMatchObject({
      name: "demo",
      tests: "5",
      failures: "2",
      skipped: "1",
      errors: "0",
      time: "12.345",
    });
    expect(cases.map((c) => [c.classname, c.status])).toEqual([
      ["demo.steps", "passed"],
      ["demo.steps", "failed"],
      ["demo.steps", "skipped"],
      ["demo.invariants", "passed"],
      ["demo.invariants", "failed"],
    ]);
    expect(cases[1]).toMatchObject({
      name: "02 assert <\"odd\"> & 'quoted'",
      message: "height 5 < 6 & stuck ",
    });
    const failure = parseXml(xml).children[0]?.children.find((c) => c.attrs.name?.startsWith("02"))
      ?.children[0];
    expect(failure?.text).toBe("height 5 < 6 & stuck \nnode1 <stuck>");
  });

  it("the strict reader rejects broken XML (so the test above can fail)", () => {
    const xml = reportJunit(report);
    expect(() => readJunit(xml.replace("&amp;", "&"))).toThrow(/raw &/);
    expect(() => readJunit(xml.replace("</testsuite>", ""))).toThrow();
    expect(() => readJunit(xml.replace('tests="5" failures="2"', 'tests="4" failures="2"'))).toThrow(/count/);
  });

  it("text names every failure, its details and the seed to rerun with", () => {
    const t = reportText(report);
    expect(t).toContain("✗ supply conserved");
    expect(t).toContain("      node1 <stuck>");
    expect(t).toMatch(/FAILED: 2 of 5 checks \(rerun with --seed 7\)$/);
  });
});
