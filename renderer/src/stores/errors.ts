/** Turning errors that crossed the API into words and field problems. */
import { ApiError } from '../../../shared/wire';

/** A message a person can read, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return 'Something went wrong.';
}

/**
 * Field problems of an `invalid` error, keyed by field name with `prefix` removed
 * (`machine.address` → `address`). Errors that arrived through Electron's IPC lose their class, so
 * the shape is checked rather than `instanceof`.
 */
export function fieldErrors(error: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!error || typeof error !== 'object' || !('fields' in error) || !Array.isArray(error.fields)) return out;
  for (const f of error.fields as { path?: unknown; message?: unknown }[]) {
    if (typeof f.path !== 'string' || typeof f.message !== 'string') continue;
    const path = prefix && f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path;
    out[path] ??= f.message;
  }
  return out;
}
