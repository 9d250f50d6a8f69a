/**
 * A small, bounded XML reader for the SOAP subset WinRM speaks. Remote replies are untrusted, so it refuses
 * DOCTYPEs (no entity expansion), caps the node count and nesting depth, and matches elements by local name:
 * Windows, pywinrm and openwsman all pick different prefixes for the same namespaces.
 */

/** One element: local name, prefix, attributes by local name, text content and child elements. */
export interface XmlNode {
  name: string;
  prefix: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlNode[];
}

/** Input that is not the well-formed, bounded XML we accept. */
export class XmlError extends Error {
  constructor(message: string) {
    super(`XML: ${message}`);
    this.name = 'XmlError';
  }
}

const MAX_NODES = 20_000;
const MAX_DEPTH = 64;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and numeric references; anything else is refused. */
export function decodeEntities(s: string): string {
  // Most text has no reference at all (base64 output streams, ids): skip the regex pass over it.
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][\w.-]{0,31});/g, (_m, e: string) => {
    if (e.startsWith('#')) {
      const code = e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      if (code > 0x10ffff) throw new XmlError(`character reference &${e}; out of range`);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`unknown entity &${e};`);
    return v;
  });
}

/** Escapes text or an attribute value for output. */
export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

const split = (qname: string): { prefix: string; name: string } => {
  const colon = qname.indexOf(':');
  return colon < 0
    ? { prefix: '', name: qname }
    : { prefix: qname.slice(0, colon), name: qname.slice(colon + 1) };
};

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses `xml` into its root element. */
export function parseXml(xml: string): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let nodes = 0;
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    const top = stack[stack.length - 1];
    if (top) top.text += decodeEntities(text);
    else if (text.trim()) throw new XmlError('text outside the root element');
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) throw new XmlError('unterminated declaration');
      at = end + 2;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new XmlError('unterminated comment');
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0 || !top) throw new XmlError('misplaced CDATA');
      top.text += xml.slice(lt + 9, end);
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<!', lt)) throw new XmlError('DOCTYPE and other declarations are refused');
    TAG.lastIndex = lt;
    const m = TAG.exec(xml);
    if (!m) throw new XmlError(`malformed tag at ${lt}`);
    at = TAG.lastIndex;
    const [, closing, qname = '', rawAttrs = '', selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || (open.prefix ? `${open.prefix}:${open.name}` : open.name) !== qname) {
        throw new XmlError(`unexpected </${qname}>`);
      }
      continue;
    }
    if (++nodes > MAX_NODES) throw new XmlError('too many elements');
    if (stack.length >= MAX_DEPTH) throw new XmlError('nested too deeply');
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(ATTR))
      attrs[split(a[1] ?? '').name] = decodeEntities(a[2] ?? a[3] ?? '');
    const node: XmlNode = { ...split(qname), attrs, text: '', children: [] };
    if (top) top.children.push(node);
    else if (root) throw new XmlError('more than one root element');
    else root = node;
    if (!selfClosing) stack.push(node);
  }
  if (!root || stack.length) throw new XmlError('document is empty or not closed');
  return root;
}

/** Depth-first: every element named `name` (local name) below and including `node`. */
export function findAll(node: XmlNode, name: string, out: XmlNode[] = []): XmlNode[] {
  if (node.name === name) out.push(node);
  for (const c of node.children) findAll(c, name, out);
  return out;
}

/** The first element named `name` below and including `node`. */
export const find = (node: XmlNode, name: string): XmlNode | undefined => findAll(node, name)[0];

/** Follows a path of local names through direct children (e.g. Header → Action). */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let at = node;
  for (const name of path) at = at?.children.find((c) => c.name === name);
  return at;
}
