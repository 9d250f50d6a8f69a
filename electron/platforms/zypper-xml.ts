/**
 * Just enough XML for zypper's `--xmlout` (flat elements with attributes, short text): a linear scan into
 * open/close/text events, entities decoded. The input is untrusted: no DTDs, no external entities, nothing
 * evaluated, and a tag cut by the line limit simply does not match.
 */

/** One step through the document. */
export type XmlEvent =
  | { kind: 'open'; name: string; attrs: Record<string, string>; selfClosing: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const TAG = /<(\/?)([A-Za-z][\w.-]{0,40})((?:\s+[\w:.-]{1,40}\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/g;
const ATTR = /([\w:.-]{1,40})\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Replaces the five named entities and numeric character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
    }
    return NAMED[ref] ?? whole;
  });
}

/** The events of `text`, in order. Anything that is not a well-formed tag is text. */
export function* xmlEvents(text: string): Generator<XmlEvent> {
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    const at = m.index ?? 0;
    if (at > last) yield { kind: 'text', text: decodeEntities(text.slice(last, at)) };
    last = at + m[0].length;
    const [, slash, name = '', rawAttrs = '', selfClose] = m;
    if (slash) {
      yield { kind: 'close', name };
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs.matchAll(ATTR)) {
      if (a[1] && !(a[1] in attrs)) attrs[a[1]] = decodeEntities(a[2] ?? a[3] ?? '');
    }
    yield { kind: 'open', name, attrs, selfClosing: selfClose === '/' };
  }
  if (last < text.length) yield { kind: 'text', text: decodeEntities(text.slice(last)) };
}

/** zypper's `<message type="…">` texts (errors, warnings), in order. */
export function xmlMessages(text: string): { type: string; text: string }[] {
  const out: { type: string; text: string }[] = [];
  let current: { type: string; text: string } | null = null;
  for (const e of xmlEvents(text)) {
    if (e.kind === 'open' && e.name === 'message' && !e.selfClosing)
      current = { type: e.attrs.type ?? '', text: '' };
    else if (e.kind === 'text' && current) current.text += e.text;
    else if (e.kind === 'close' && e.name === 'message' && current) {
      out.push(current);
      current = null;
    }
  }
  return out;
}
