/** How the report writes dates and counts: UTC throughout, since the reader may be in another timezone. */

/** "2026-12-06 14:05 UTC", or "never". */
export function stampUtc(ms: number | null): string {
  return ms === null ? 'never' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-12-06", or "—". */
export function dayUtc(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toISOString().slice(0, 10);
}

/** "1 machine", "3 machines". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
