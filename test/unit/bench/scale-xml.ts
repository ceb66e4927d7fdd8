/**
 * A small strict XML reader for the scale chart's tests (no XML parser among the dependencies): one root
 * element, every tag closed in order, attributes quoted and not repeated, `&` only in entities, no `<` in
 * text or attribute values. Throws Error naming the offset of the first problem.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
const DECODE: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "<") throw new Error(`raw < at ${at + i}`);
    if (raw[i] !== "&") {
      out += raw[i];
      continue;
    }
    const m = ENTITY.exec(raw.slice(i));
    if (!m) throw new Error(`bare & at ${at + i}`);
    const e = m[1] as string;
    out += DECODE[e] ?? String.fromCodePoint(Number(e.startsWith("#x") ? `0x${e.slice(2)}` : e.slice(1)));
    i += m[0].length - 1;
  }
  return out;
}

/** Parses `xml` into its root element; throws on anything that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const ws = () => {
    while (/\s/.test(xml[i] ?? "")) i++;
  };
  const expect = (s: string) => {
    if (!xml.startsWith(s, i)) throw new Error(`expected ${JSON.stringify(s)} at ${i}`);
    i += s.length;
  };
  const name = () => {
    const m = NAME.exec(xml.slice(i));
    if (!m) throw new Error(`expected a name at ${i}`);
    i += m[0].length;
    return m[0];
  };
  const element = (): XmlElement => {
    expect("<");
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      const before = i;
      ws();
      if (xml.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (xml[i] === ">") {
        i++;
        break;
      }
      if (i === before) throw new Error(`expected a space before an attribute at ${i}`);
      const key = name();
      if (key in el.attrs) throw new Error(`attribute ${key} repeated at ${i}`);
      expect("=");
      const q = xml[i];
      if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${key} at ${i}`);
      const end = xml.indexOf(q, i + 1);
      if (end < 0) throw new Error(`unterminated attribute ${key} at ${i}`);
      el.attrs[key] = decode(xml.slice(i + 1, end), i + 1);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf("<", i);
      if (lt < 0) throw new Error(`<${el.name}> never closed`);
      el.text += decode(xml.slice(i, lt), i);
      i = lt;
      if (xml.startsWith("</", i)) {
        i += 2;
        const close = name();
        if (close !== el.name) throw new Error(`</${close}> closes <${el.name}> at ${i}`);
        ws();
        expect(">");
        return el;
      }
      el.children.push(element());
    }
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end < 0) throw new Error("unterminated XML declaration");
    i = end + 2;
  }
  ws();
  const root = element();
  ws();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  return root;
}

/** Every element under (and including) `el`, depth first. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}
