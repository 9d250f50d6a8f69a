import { DEB_PACKAGE } from './debian-names';
import { sectionLines } from './section-readers';
import type { Sections } from './sections';

/**
 * Binary → source package from the `apt-source-names` section (`name<TAB>source` per line, dpkg-query's
 * ${Package} and ${source:Package}). Host output: both names must pass Debian's name grammar, anything
 * else is dropped (and counted). A scan captured before the section existed simply yields an empty map,
 * and every patch keeps its binary name as its source.
 */
export function parseSourceNames(sections: Sections): { sources: Map<string, string>; dropped: number } {
  const sources = new Map<string, string>();
  let dropped = 0;
  for (const line of sectionLines(sections, 'apt-source-names').lines) {
    if (line === '') continue;
    const [binary = '', source = '', extra] = line.split('\t');
    // dpkg prints `name:arch` for some multiarch packages; the patch list uses the bare name.
    const bare = binary.replace(/:[a-z0-9-]+$/, '');
    if (extra !== undefined || !DEB_PACKAGE.test(bare) || !DEB_PACKAGE.test(source)) {
      dropped++;
      continue;
    }
    sources.set(bare, source);
  }
  return { sources, dropped };
}

/** The source package to look a patch up by: the host's answer, else the binary's own name. */
export function sourceNameOf(patch: { name: string; sourcePackage?: string | undefined }): string {
  return patch.sourcePackage || patch.name;
}
