// Reading the commands Patchbay sends a simulated host (sim-rollout.ts): shell words as shQuote writes them,
// the root wrapping of electron/ssh/exec.ts, and apt's install lines. The simulator then rebuilds each
// command with Patchbay's own builders from what it read here and answers only an exact match.
import type { InstallItem, PlatformInstaller } from '../platforms/installer';
import { INSTALLERS } from '../platforms/installers';

const apt = INSTALLERS.apt as PlatformInstaller;

/**
 * Reads one shell word as shQuote writes it (`'…'` pieces joined by `\'`) from `s` at `at`: the value and
 * where it ends; null when there is no quoted word there.
 */
export function readQuoted(s: string, at: number): { value: string; end: number } | null {
  if (s[at] !== "'") return null;
  let i = at;
  let value = '';
  while (i < s.length) {
    if (s[i] === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0) return null;
      value += s.slice(i + 1, close);
      i = close + 1;
    } else if (s[i] === '\\' && i + 1 < s.length) {
      value += s[i + 1];
      i += 2;
    } else break;
  }
  return { value, end: i };
}

export const after = (s: string, prefix: string) => {
  const at = s.indexOf(prefix);
  return at < 0 ? null : readQuoted(s, at + prefix.length);
};

/**
 * Unwraps a root command as electron/ssh/exec.ts sends it (sudo or a root login's `/bin/sh -c`, then
 * remote-timeout's GNU timeout wrapper): the script inside and the wrapper's tag. Null for a plain command.
 */
export function unwrapRoot(command: string): { script: string; tag: string } | null {
  let limited: string;
  if (command.startsWith('env LC_ALL=C sudo ')) {
    const inner = after(command, ' -- /bin/sh -c ')?.value;
    const nl = inner?.indexOf('\n') ?? -1;
    if (!inner || nl < 0) return null;
    limited = inner.slice(nl + 1);
  } else if (command.startsWith('/bin/sh -c ')) {
    const inner = readQuoted(command, '/bin/sh -c '.length);
    if (!inner) return null;
    limited = inner.value;
  } else return null;
  const tagLine = after(limited, "\n  printf '%s\\n' ")?.value;
  const script = after(limited, ' /bin/sh -c ')?.value;
  if (!tagLine?.endsWith(' timeout') || script === undefined) return null;
  return { script, tag: tagLine.slice(0, -' timeout'.length) };
}

/** `name[:arch]=version` words after `--only-upgrade ` up to ` 2>&1` (an apt dry run or install line). */
export function specsOf(line: string): InstallItem[] | null {
  const items: InstallItem[] = [];
  let i = line.indexOf('--only-upgrade ');
  if (i < 0) return null;
  i += '--only-upgrade '.length;
  while (line[i] === "'") {
    const w = readQuoted(line, i);
    if (!w) return null;
    const m = /^([^:=]+)(?::([^=]+))?=(.+)$/.exec(w.value);
    if (!m) return null;
    items.push({ name: m[1] as string, arch: m[2] ?? '', version: m[3] as string });
    i = w.end + 1;
  }
  return items;
}

/** A request as the engine builds it; apt ignores advisories and allowReboot. */
export const request = (items: InstallItem[]) => ({ items, advisories: [], allowReboot: false });

/** The install script inside a start command, when it is apt's own installCommand: its items. */
export function installItems(script: string): InstallItem[] | null {
  const items = specsOf(script.split('\n').find((l) => l.startsWith('exec apt-get -y ')) ?? '');
  return items && apt.installCommand(request(items)) === script ? items : null;
}
