import { parseXml, type XmlElement } from "./xml.js";

export interface JunitCase {
  classname: string;
  name: string;
  time: number;
  status: "passed" | "failed" | "skipped";
  message?: string;
}

/**
 * Parses a JUnit report strictly (well-formed XML, the testsuites → testsuite → testcase shape CI
 * reporters read, numeric counts that match the cases) and returns its cases; throws on any deviation.
 */
export function readJunit(xml: string): { suites: XmlElement[]; cases: JunitCase[] } {
  const root = parseXml(xml);
  const must = (ok: boolean, msg: string) => {
    if (!ok) throw new Error(`JUnit: ${msg}`);
  };
  const num = (e: XmlElement, a: string) => {
    const v = e.attrs[a];
    must(v !== undefined && /^\d+(\.\d+)?$/.test(v), `<${e.name}> ${a}="${v}" is not a number`);
    return Number(v);
  };
  must(root.name === "testsuites", `root is <${root.name}>`);
  const cases: JunitCase[] = [];
  for (const suite of root.children) {
    must(suite.name === "testsuite", `<${suite.name}> inside <testsuites>`);
    must(Boolean(suite.attrs.name), "testsuite without a name");
    const mine: JunitCase[] = [];
    for (const c of suite.children) {
      if (c.name === "properties") {
        for (const p of c.children)
          must(p.name === "property" && "name" in p.attrs && "value" in p.attrs, "bad <property>");
        continue;
      }
      must(c.name === "testcase", `<${c.name}> inside <testsuite>`);
      must(Boolean(c.attrs.name) && Boolean(c.attrs.classname), "testcase without name or classname");
      const kids = c.children.map((k) => k.name);
      must(
        kids.length <= 1 && kids.every((k) => k === "failure" || k === "skipped"),
        `testcase children ${kids}`,
      );
      const child = c.children[0];
      if (child?.name === "failure") must("message" in child.attrs, "failure without a message");
      mine.push({
        classname: c.attrs.classname as string,
        name: c.attrs.name as string,
        time: num(c, "time"),
        status: child ? (child.name === "failure" ? "failed" : "skipped") : "passed",
        ...(child?.attrs.message !== undefined ? { message: child.attrs.message } : {}),
      });
    }
    must(num(suite, "tests") === mine.length, "tests count does not match the testcases");
    must(num(suite, "failures") === mine.filter((x) => x.status === "failed").length, "failures count");
    must(num(suite, "skipped") === mine.filter((x) => x.status === "skipped").length, "skipped count");
    num(suite, "errors");
    num(suite, "time");
    cases.push(...mine);
  }
  must(num(root, "tests") === cases.length, "total tests count");
  return { suites: root.children, cases };
}
