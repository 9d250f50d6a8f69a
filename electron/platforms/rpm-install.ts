/**
 * What the dnf, yum and zypper installers share: the rpm grammar of an install item, the installed
 * versions read back from rpm itself, and the rpm-level pre-flight fragments (rpm's transaction lock,
 * duplicate packages left by an interrupted transaction).
 */
import { shJoin } from '../ssh/quote';
import { fcntlLockShell } from './install-preflight';
import type { InstallItem } from './installer';
import { RPM_ARCH, RPM_EPOCH, RPM_NAME, RPM_VERSION } from './rpm-names';
import { compareEvr, formatEvr, parseEvr } from './rpm-version';

/** Whether an item fits rpm's grammar: version `[epoch:]version-release`, arch '' (any) or an rpm arch. */
export function validRpmItem(item: InstallItem): boolean {
  const m = /^(?:(\d{1,10}):)?([^:-]+)-([^:-]+)$/.exec(item.version);
  return (
    RPM_NAME.test(item.name) &&
    m !== null &&
    (m[1] === undefined || RPM_EPOCH.test(m[1])) &&
    RPM_VERSION.test(m[2] ?? '') &&
    RPM_VERSION.test(m[3] ?? '') &&
    (item.arch === '' || RPM_ARCH.test(item.arch))
  );
}

/** Refuses anything but valid items: a command is never built from anything else. */
export function checkedItems(items: InstallItem[]): InstallItem[] {
  for (const item of items)
    if (!validRpmItem(item)) throw new Error(`not a valid rpm package: ${JSON.stringify(item)}`);
  return items;
}

/** `name-[epoch:]version-release[.arch]`: dnf's and yum's exact-package spelling (NEVRA). */
export const nevraSpec = (item: InstallItem): string =>
  `${item.name}-${formatEvr(parseEvr(item.version))}${item.arch ? `.${item.arch}` : ''}`;

/**
 * rpm's query format for installed versions: name, arch, epoch ("(none)" when unset), version-release.
 * `rpm -q` prints "package x is not installed" for unknown names, which the reader skips.
 */
const QF = '%{NAME}\\t%{ARCH}\\t%{EPOCH}\\t%{VERSION}-%{RELEASE}\\n';

/** Shell printing the installed versions of `names` (rpm -q; works for dnf, yum and zypper hosts). */
export function rpmInstalledScript(names: string[]): string {
  for (const n of names)
    if (!RPM_NAME.test(n)) throw new Error(`not an rpm package name: ${JSON.stringify(n)}`);
  if (names.length === 0) return 'exit 0';
  return `LC_ALL=C rpm -q --qf '${QF}' -- ${shJoin(names)} 2>/dev/null\nexit 0`;
}

/**
 * Reads rpm -q lines: `name.arch` → `[epoch:]version-release` for each installed package, and `name` →
 * the lowest version installed over its architectures (multilib: verification must hold for every arch).
 */
export function parseRpmInstalled(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [name = '', arch = '', epoch = '', vr = ''] = line.split('\t');
    const e = epoch === '(none)' ? '0' : epoch;
    const evr = parseEvr(`${e}:${vr.trim()}`);
    if (!RPM_NAME.test(name) || !RPM_ARCH.test(arch) || !RPM_EPOCH.test(e) || !evr.release) continue;
    const v = formatEvr(evr);
    out.set(`${name}.${arch}`, v);
    const prev = out.get(name);
    if (prev === undefined || lowerThan(v, prev)) out.set(name, v);
  }
  return out;
}

const lowerThan = (a: string, b: string) => compareEvr(a, b) < 0;

/** rpm's own transaction lock, wherever the host's rpm keeps its database (%_dbpath). */
export const RPM_LOCK_SHELL = fcntlLockShell('"$(rpm --eval \'%{_dbpath}\' 2>/dev/null)/.rpm.lock"');

/**
 * An rpm transaction cut short (power loss, a killed dnf) leaves the old and the new version of a package
 * both in the database. Kernels (and other install-only packages) are meant to be there several times,
 * so they are left out. Prints `interrupted duplicate name.arch` lines.
 */
export const RPM_DUPES_SHELL =
  "rpm -qa --qf '%{NAME}.%{ARCH}\\n' 2>/dev/null | sort | uniq -d | " +
  "grep -v -E '^(kernel|kernel-[a-z0-9-]+|installonlypkg|gpg-pubkey)\\.' | head -n 20 | sed 's/^/interrupted duplicate /'";
