import { SECTION_MARKER } from './adapter';

/** Output split by the collection script's markers; a section printed twice keeps its first copy. */
export type Sections = ReadonlyMap<string, string>;

const MARKER = new RegExp(`^${SECTION_MARKER}([a-z0-9-]{1,40})@@$`);

/**
 * Splits remote output into sections. The bytes are untrusted: invalid UTF-8 becomes U+FFFD, NULs are
 * dropped, and lines beyond a sane length are cut so no single line can blow up a parser.
 */
export function splitSections(output: Buffer | string, maxLine = 8192): Sections {
  const text = (typeof output === 'string' ? output : output.toString('utf8')).replaceAll('\u0000', '');
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.length > maxLine ? raw.slice(0, maxLine) : raw;
    const m = MARKER.exec(line);
    if (m?.[1]) {
      current = sections.has(m[1]) ? null : [];
      if (current) sections.set(m[1], current);
      continue;
    }
    current?.push(line);
  }
  return new Map([...sections].map(([k, v]) => [k, v.join('\n').trim()]));
}
