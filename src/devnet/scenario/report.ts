import type { CheckResult } from "./invariants.js";
import type { ScenarioReport } from "./run.js";

/**
 * The two renderings of a scenario report besides `--json`: readable text, and JUnit XML (one testcase per
 * step and per invariant; `<failure>` for a failed one, `<skipped>` for one that did not run) in the
 * shape CI systems read (Jenkins / GitLab / GitHub test reporters).
 */
export function reportText(r: ScenarioReport): string {
  const mark = (c: CheckResult) => (c.status === "passed" ? "✓" : c.status === "skipped" ? "-" : "✗");
  const line = (c: CheckResult) => {
    const t = c.durationMs === undefined ? "" : ` (${(c.durationMs / 1000).toFixed(1)} s)`;
    return [`  ${mark(c)} ${c.name}${t}: ${c.message}`, ...(c.details ?? []).map((d) => `      ${d}`)];
  };
  const out = [
    `Scenario ${r.scenario} (${r.file}) — seed ${r.seed}, devnet ${r.devnet}, ${r.provider} provider`,
    "Steps:",
    ...r.steps.flatMap(line),
    "Invariants:",
    ...(r.invariants.length ? r.invariants.flatMap(line) : ["  (not checked: no devnet)"]),
  ];
  for (const l of r.loads)
    out.push(
      `Load ${l.label.split("/").pop()}: ${l.submitted} sent, ${l.accepted} accepted, ${l.finalized} final, ${l.notFinal} not final, ${l.resent} resent${Object.keys(l.rejected).length ? `, rejected ${JSON.stringify(l.rejected)}` : ""}`,
    );
  const failed = [...r.steps, ...r.invariants].filter((c) => c.status === "failed").length;
  out.push(
    r.passed
      ? `PASSED in ${(r.durationMs / 1000).toFixed(1)} s`
      : `FAILED: ${failed} of ${r.steps.length + r.invariants.length} checks (rerun with --seed ${r.seed})`,
  );
  return out.join("\n");
}

/** XML 1.0 text: escaped, and without the control characters XML cannot carry. */
export function xmlEscape(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML 1.0 forbids is the point.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

const secs = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

function testcase(classname: string, c: CheckResult): string {
  const head = `    <testcase classname="${xmlEscape(classname)}" name="${xmlEscape(c.name)}" time="${secs(c.durationMs)}"`;
  if (c.status === "passed") return `${head}/>`;
  if (c.status === "skipped")
    return `${head}>\n      <skipped message="${xmlEscape(c.message)}"/>\n    </testcase>`;
  const body = [c.message, ...(c.details ?? [])].join("\n");
  return `${head}>\n      <failure message="${xmlEscape(c.message)}" type="${classname.endsWith("steps") ? "StepFailed" : "InvariantViolated"}">${xmlEscape(body)}</failure>\n    </testcase>`;
}

export function reportJunit(r: ScenarioReport, timestamp = new Date()): string {
  const cases = [
    ...r.steps.map((c) => testcase(`${r.scenario}.steps`, c)),
    ...r.invariants.map((c) => testcase(`${r.scenario}.invariants`, c)),
  ];
  const all = [...r.steps, ...r.invariants];
  const count = (s: CheckResult["status"]) => all.filter((c) => c.status === s).length;
  const totals = `tests="${all.length}" failures="${count("failed")}" errors="0" skipped="${count("skipped")}" time="${secs(r.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fastpos devnet test" ${totals}>`,
    `  <testsuite name="${xmlEscape(r.scenario)}" ${totals} timestamp="${timestamp.toISOString().slice(0, 19)}" hostname="localhost">`,
    "    <properties>",
    ...[
      ["file", r.file],
      ["seed", r.seed],
      ["provider", r.provider],
      ["devnet", r.devnet],
    ].map(([k, v]) => `      <property name="${k}" value="${xmlEscape(v as string)}"/>`),
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
