import { ADAPTERS } from './adapters';
import { parseOsRelease } from './os-release';
import { splitSections } from './sections';
import { type ScanFindings, UnparseableOutputError } from './types';

/** A host whose package manager Patchbay does not handle (yet). */
export class UnsupportedPlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPlatformError';
  }
}

/** Parses the collection script's output with the adapter the host itself reported. */
export function parseFindings(output: Buffer | string): ScanFindings {
  const sections = splitSections(output);
  if (!sections.has('end'))
    throw new UnparseableOutputError('the scan output ended early (connection dropped?)');
  const pm = sections.get('pm') ?? '';
  const adapter = ADAPTERS.find((a) => a.id === pm);
  if (!adapter) {
    const os = parseOsRelease(sections.get('os-release') ?? '');
    const name = os.PRETTY_NAME || (sections.get('uname') ?? '').split(' ')[0] || 'this system';
    throw new UnsupportedPlatformError(`no supported package manager found on ${name.slice(0, 80)}`);
  }
  return adapter.parse(sections);
}
