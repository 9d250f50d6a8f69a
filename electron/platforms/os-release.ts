/** Parses os-release (a shell-like KEY=value file) without evaluating anything. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]{0,63})=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    let value = m[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    // eslint-disable-next-line no-control-regex
    out[m[1]] = value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200);
  }
  return out;
}
