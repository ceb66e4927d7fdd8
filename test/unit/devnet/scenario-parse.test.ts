import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/devnet/scenario/parse.js";
import { resolveScenario } from "../../../src/devnet/scenario/resolve.js";

const nodes = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `node${i}`, state: "running" as const }));

const issuesOf = (text: string): string[] => {
  try {
    parseScenario(text, "s.yaml");
  } catch (err) {
    return (err as { data: { issues: string[] } }).data.issues;
  }
  throw new Error("parsed");
};

describe("scenario schema", () => {
  it("parses every step kind into typed steps with their lines", () => {
    const s = parseScenario(
      [
        "name: demo",
        "steps:",
        "  - up: { validators: 4 }",
        "  - load: { rate: 20, duration: 5s }",
        "  - kill: random",
        "  - partition: [[node0], [node1, node2]]",
        "  - heal",
        "  - latency: { node: all, ms: 300, jitter: 50, loss: 0.02 }",
        "  - add-validator",
        "  - byzantine: { node: node1, equivocate: precommit }",
        "  - wait: { blocks: 3 }",
        "  - name: stays",
        "    assert: { height: { nodes: [node1], advances: false, for: 2s } }",
        "  - assert: { metric: { node: node0, name: fastpos_peers, op: '>=', value: 1 } }",
        "  - assert: { validator: { name: node4, status: active, within: 1m } }",
        "  - assert: { balance: { account: alice, op: '>', value: '0' } }",
        "  - assert: { log: { node: node0, contains: node started } }",
      ].join("\n"),
    );
    expect(s.steps.map((x) => x.kind)).toEqual([
      "up",
      "load",
      "kill",
      "partition",
      "heal",
      "latency",
      "add-validator",
      "byzantine",
      "wait",
      "assert",
      "assert",
      "assert",
      "assert",
      "assert",
    ]);
    expect(s.steps.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17]);
    expect(s.steps[1]).toMatchObject({ args: { rate: 20, duration: 5000, accounts: 8, wait: false } });
    expect(s.steps[7]).toMatchObject({ args: { node: "node1", equivocate: "precommit", flags: {} } });
    expect(s.steps[9]).toMatchObject({ name: "stays", args: { height: { advances: false, for: 2000 } } });
    expect(s.steps[11]).toMatchObject({ args: { validator: { within: 60_000 } } });
    expect(s.invariants).toMatchObject({ liveness: { within: 30_000 }, supply: true });
  });

  it("gives the byzantine step a typed mode: prevote by default, and only the kinds a node can equivocate on", () => {
    const s = parseScenario(["name: b", "steps:", "  - byzantine: { node: node4 }"].join("\n"));
    expect(s.steps[0]).toMatchObject({ kind: "byzantine", args: { node: "node4", equivocate: "prevote" } });
    const issues = issuesOf(
      ["name: b", "steps:", "  - byzantine: { node: node4, equivocate: blocks }"].join("\n"),
    );
    expect(issues).toEqual([expect.stringMatching(/^line 3: steps\[0\]\.byzantine\.equivocate: /)]);
  });

  it("names the line and path of every problem at once", () => {
    const issues = issuesOf(
      [
        "name: demo",
        "steps:",
        "  - up",
        "  - load:",
        "      rate: 0",
        "      duration: 5x",
        "  - kil: node2",
        "  - wait: { blocks: 3, seconds: 2 }",
        "  - assert:",
        "      height: { advances: yes-please, foo: 1 }",
        "  - { kill: node1, stop: node2 }",
      ].join("\n"),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^line 5: steps\[1\]\.load\.rate: /),
      expect.stringMatching(/^line 6: steps\[1\]\.load\.duration: a duration like/),
      expect.stringMatching(/^line 7: steps\[2\]: unknown step "kil"/),
      expect.stringMatching(/^line 8: steps\[3\]\.wait: give exactly one of height, blocks, seconds, load/),
      expect.stringMatching(/^line 10: steps\[4\]\.assert\.height\.advances: .*expected boolean/),
      'line 10: steps[4].assert.height.foo: unknown key "foo"',
      expect.stringMatching(/^line 11: steps\[5\]: a step has exactly one kind, got kill, stop/),
    ]);
  });

  it("reports YAML syntax errors and unknown top-level keys with their line", () => {
    expect(issuesOf("name: x\nsteps: [up\n")[0]).toMatch(/^line \d+: /);
    expect(issuesOf("name: x\nstepz: []\nsteps: [up]\n")).toEqual([
      expect.stringMatching(/^line 2: stepz: unknown key "stepz"/),
    ]);
    expect(issuesOf("name: x\nsteps:\n  - up: { name: other }\n")).toEqual([
      expect.stringMatching(/^line 3: steps\[0\]\.up\.name: unknown key "name"/),
    ]);
  });
});

describe("scenario resolve", () => {
  const text = [
    "name: r",
    "steps:",
    "  - kill: random",
    "  - kill: random",
    "  - start: random",
    "  - partition: { random: [2] }",
    "  - assert: { height: { nodes: ['@group0'], advances: false } }",
    "  - wait: { blocks: 1 }",
  ].join("\n");

  it("makes the same choices for the same seed, and only fitting ones", () => {
    const s = parseScenario(text);
    const a = resolveScenario(s, "42", nodes(5));
    expect(resolveScenario(s, "42", nodes(5))).toEqual(a);
    const [k1, k2, st, part, asrt, wait] = a;
    expect(k1?.node).not.toBe(k2?.node); // a stopped node is not killed again
    expect([k1?.node, k2?.node]).toContain(st?.node); // start picks a stopped one
    expect(part?.groups?.[0]).toHaveLength(2);
    expect(part?.groups?.flat().sort()).toEqual(["node0", "node1", "node2", "node3", "node4"]);
    expect(asrt?.nodes).toEqual(part?.groups?.[0]);
    // wait defaults to the nodes running at that point: the one still killed is left out
    expect(wait?.nodes).toHaveLength(4);
    expect(wait?.nodes).not.toContain(k1?.node === st?.node ? k2?.node : k1?.node);
    const seeds = new Set(
      Array.from({ length: 20 }, (_, i) => resolveScenario(s, String(i), nodes(5))[0]?.node),
    );
    expect(seeds.size).toBeGreaterThan(1); // the seed matters
  });

  it("rejects unknown nodes, impossible random choices and @group without a partition, by line", () => {
    const s = parseScenario(
      [
        "name: r",
        "steps:",
        "  - kill: node9",
        "  - resume: random",
        "  - wait: { blocks: 1, nodes: ['@group1'] }",
        "  - kill: 1",
      ].join("\n"),
    );
    expect(() => resolveScenario(s, "1", nodes(3))).toThrow(
      /line 3: steps\[0\] \(kill\): no node "node9".*line 4: steps\[1\] \(resume\): no paused node.*line 5: .*no partition before this step/,
    );
    expect(resolveScenario(parseScenario("name: r\nsteps:\n  - kill: 1\n"), "1", nodes(3))[0]?.node).toBe(
      "node1",
    );
  });
});
