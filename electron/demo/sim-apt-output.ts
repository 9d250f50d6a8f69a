// WHAT APT PRINTS on a simulated host of the fleet simulator (sim-rollout.ts answers with it): the dry run
// (`apt-get -s install --only-upgrade` and `--print-uris`) and the install's log, in apt's own wording and
// order, for the packages the host's state holds.
import { URIS_MARK } from '../platforms/apt-install-parse';
import type { InstallItem } from '../platforms/installer';
import type { SimPackage } from './sim-apt-state';
import type { SimAnswer, SimRolloutOptions } from './sim-rollout';

/** A debian .deb's file name as apt prints it (an epoch's colon is escaped). */
const debFile = (p: SimPackage, v: string) => `${p.name}_${v.replace(':', '%3a')}_${p.arch}.deb`;

/** Size of a simulated .deb: stable per name and version. */
function debSize(name: string, version: string): number {
  let h = 2166136261;
  for (const c of `${name}=${version}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return 40_000 + ((h >>> 0) % 900_000);
}

/** `apt-get -s install --only-upgrade …` and `--print-uris`, as the dry run script prints them. */
export function dryRun(packages: Map<string, SimPackage>, items: InstallItem[]): SimAnswer {
  const head = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\n';
  const upgrades: SimPackage[] = [];
  const lines: string[] = [];
  for (const it of items) {
    const p = packages.get(it.name);
    if (p && p.installed === '') {
      lines.push(`Skipping ${it.name}, it is not installed and only upgrades are requested.`);
    } else if (p && p.installed === it.version) {
      lines.push(`${it.name} is already the newest version (${it.version}).`);
    } else if (!p || p.candidate !== it.version) {
      const out = `${head}E: Version '${it.version}' for '${it.name}' was not found\n${URIS_MARK} 100\n`;
      return { stdout: out, stderr: '', code: 100 };
    } else upgrades.push(p);
  }
  const sim = [
    ...lines,
    ...(upgrades.length
      ? ['The following packages will be upgraded:', `  ${upgrades.map((p) => p.name).join(' ')}`]
      : []),
    `${upgrades.length} upgraded, 0 newly installed, 0 to remove and 0 not upgraded.`,
    ...upgrades.map((p) => `Inst ${p.name} [${p.installed}] (${p.candidate} ${p.origin} [${p.arch}])`),
    ...upgrades.map((p) => `Conf ${p.name} (${p.candidate} ${p.origin} [${p.arch}])`),
  ];
  const uris = upgrades.map(
    (p) =>
      `'http://deb.example.invalid/debian/pool/main/${p.name[0]}/${p.name}/${debFile(p, p.candidate)}' ` +
      `${debFile(p, p.candidate)} ${debSize(p.name, p.candidate)} SHA256:${'0'.repeat(64)}`,
  );
  const stdout = `${head}${sim.join('\n')}\n${URIS_MARK} 0\n${uris.map((u) => `${u}\n`).join('')}${URIS_MARK}-end 0\n`;
  return { stdout, stderr: '', code: 0 };
}

/** What `apt-get -y install --only-upgrade` prints, and its exit code (apt's own wording and order). */
export function installLog(
  packages: Map<string, SimPackage>,
  items: InstallItem[],
  fail: SimRolloutOptions['failInstall'],
): { log: string; code: number } {
  const ps = items.flatMap((i) => packages.get(i.name) ?? []).filter((p) => p.installed !== p.candidate);
  const bytes = ps.reduce((a, p) => a + debSize(p.name, p.candidate), 0);
  const head = [
    'Reading package lists...',
    'Building dependency tree...',
    'Reading state information...',
    'The following packages will be upgraded:',
    `  ${ps.map((p) => p.name).join(' ')}`,
    `${ps.length} upgraded, 0 newly installed, 0 to remove and 0 not upgraded.`,
    `Need to get ${Math.ceil(bytes / 1000)} kB of archives.`,
    'After this operation, 0 B of additional disk space will be used.',
  ];
  if (fail === 'disk-full')
    return {
      log: `${head.join('\n')}\nE: You don't have enough free space in /var/cache/apt/archives/.\n`,
      code: 100,
    };
  const body = [
    ...ps.map(
      (p, k) =>
        `Get:${k + 1} http://deb.example.invalid/debian ${p.origin.split(' ')[0]} ${p.arch} ${p.name} ${p.arch} ${p.candidate} [${Math.ceil(debSize(p.name, p.candidate) / 1000)} kB]`,
    ),
    `Fetched ${Math.ceil(bytes / 1000)} kB in 0s (${Math.ceil(bytes / 100)} kB/s)`,
    '(Reading database ... 8485 files and directories currently installed.)',
    ...ps.flatMap((p) => [
      `Preparing to unpack .../${debFile(p, p.candidate)} ...`,
      `Unpacking ${p.name} (${p.candidate}) over (${p.installed}) ...`,
    ]),
    ...ps.map((p) => `Setting up ${p.name} (${p.candidate}) ...`),
  ];
  return { log: `${[...head, ...body].join('\n')}\n`, code: 0 };
}
