/**
 * A strict, small XML 1.0 parser for checking generated reports (JUnit): well-formed or it throws — one
 * root, matching tags, quoted unique attributes, only the five predefined entities and character
 * references, no raw `<` or `&` in text. No DTDs, namespaces or CDATA (the reports use none).
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

function decodeEntities(s: string, at: number): string {
  return s.replace(/&([A-Za-z0-9#]+);|&/g, (m, e: string | undefined) => {
    if (e === undefined) throw new Error(`raw & at ${at}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (e in named) return named[e] as string;
    const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(e);
    if (!num) throw new Error(`unknown entity ${m} at ${at}`);
    return String.fromCodePoint(
      Number.parseInt(
        num[1]?.startsWith("x") ? num[1].slice(1) : (num[1] as string),
        num[1]?.startsWith("x") ? 16 : 10,
      ),
    );
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`XML: ${msg} at offset ${i}`);
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(src)) fail("forbidden control character");
  if (src.startsWith("<?xml")) {
    const end = src.indexOf("?>");
    if (end < 0) fail("unterminated XML declaration");
    i = end + 2;
  }
  const ws = () => {
    while (/\s/.test(src[i] ?? "")) i++;
  };
  const element = (): XmlElement => {
    if (src[i] !== "<") fail("expected <");
    i++;
    const name = NAME.exec(src.slice(i))?.[0] ?? fail("bad tag name");
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      ws();
      if (src.startsWith("/>", i)) {
        i += 2;
        return { name, attrs, children: [], text: "" };
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail("expected whitespace before an attribute");
      const an = NAME.exec(src.slice(i))?.[0] ?? fail("bad attribute name");
      i += an.length;
      if (src[i] !== "=") fail("expected =");
      i++;
      const q = src[i];
      if (q !== '"' && q !== "'") fail("unquoted attribute");
      const end = src.indexOf(q as string, i + 1);
      if (end < 0) fail("unterminated attribute");
      const raw = src.slice(i + 1, end);
      if (raw.includes("<")) fail("< in an attribute");
      if (an in attrs) fail(`duplicate attribute ${an}`);
      attrs[an] = decodeEntities(raw, i);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      if (i >= src.length) fail(`unclosed <${name}>`);
      if (src.startsWith("</", i)) {
        i += 2;
        const close = NAME.exec(src.slice(i))?.[0];
        if (close !== name) fail(`</${close}> closes <${name}>`);
        i += name.length;
        ws();
        if (src[i] !== ">") fail("expected >");
        i++;
        return { name, attrs, children, text };
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (src[i] === "<") children.push(element());
      else {
        const end = src.indexOf("<", i);
        const raw = src.slice(i, end < 0 ? src.length : end);
        text += decodeEntities(raw, i);
        i += raw.length;
      }
    }
  };
  ws();
  const root = element();
  ws();
  if (i !== src.length) fail("content after the root element");
  return root;
}
