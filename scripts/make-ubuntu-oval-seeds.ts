// Writes the built-in Ubuntu USN OVAL samples (electron/vuln/seed/com.ubuntu.<release>.usn.oval.xml.bz2)
// and their entries in seeds.json. Made-up notices in the documented shape (electron/vuln/oval-sample.ts),
// compressed with Debian's bzip2 as Canonical's files are. A developer's tool: `npx tsx scripts/make-ubuntu-oval-seeds.ts`.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { sampleOval } from '../electron/vuln/oval-sample';
import {
  parseUbuntuOval,
  UBUNTU_OVAL_RELEASES,
  UBUNTU_VERSION_OF,
  ubuntuOvalUrl,
} from '../electron/vuln/ubuntu-oval';

const seedDir = path.join(import.meta.dirname, '..', 'electron', 'vuln', 'seed');
const SAMPLE_VERSIONS: Record<string, { openssl: string; sudo: string }> = {
  resolute: { openssl: '3.5.3-1ubuntu2', sudo: '1.9.17p2-1ubuntu1' },
  noble: { openssl: '3.0.13-0ubuntu3.7', sudo: '1.9.15p5-3ubuntu5.24.04.2' },
  jammy: { openssl: '3.0.2-0ubuntu1.20', sudo: '1.9.9-1ubuntu2.6' },
  focal: { openssl: '1.1.1f-1ubuntu2.25', sudo: '1.8.31-1ubuntu1.6' },
};
const manifestPath = path.join(seedDir, 'seeds.json');
const seeds = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
  note: string;
  seeds: { feed: string }[];
};
for (const release of UBUNTU_OVAL_RELEASES) {
  const v = SAMPLE_VERSIONS[release]!;
  const xml = sampleOval(release, `${UBUNTU_VERSION_OF[release]} LTS`, '2026-12-01T10:00:00', [
    {
      usn: 'USN-9001-1',
      title: 'OpenSSL vulnerability (sample)',
      severity: 'High',
      issued: '2026-11-20',
      cves: [{ id: 'CVE-2026-0001', priority: 'high' }],
      packages: [{ names: ['libssl3', 'openssl'], fixed: `0:${v.openssl}` }],
    },
    {
      usn: 'USN-9002-1',
      title: 'Sudo vulnerability (sample)',
      severity: 'Medium',
      issued: '2026-11-25',
      cves: [{ id: 'CVE-2026-0003', priority: 'medium' }],
      packages: [{ names: ['sudo', 'sudo-ldap'], fixed: `0:${v.sudo}` }],
    },
  ]);
  const fileName = `com.ubuntu.${release}.usn.oval.xml.bz2`;
  const bytes = execFileSync('bzip2', ['-9', '-c'], { input: xml });
  fs.writeFileSync(path.join(seedDir, fileName), bytes);
  const index = await parseUbuntuOval(bytes, release);
  const entry = {
    feed: `ubuntu-oval-${release}`,
    sourceUrl: ubuntuOvalUrl(release),
    fileName,
    fetchedAt: '2026-12-01T00:00:00.000Z',
    publishedAt: index.publishedAt,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    records: index.notices,
    seed: true,
  };
  const at = seeds.seeds.findIndex((s) => s.feed === entry.feed);
  if (at >= 0) seeds.seeds[at] = entry;
  else seeds.seeds.push(entry);
}
fs.writeFileSync(manifestPath, `${JSON.stringify(seeds, null, 2)}\n`);
console.log(`wrote ${UBUNTU_OVAL_RELEASES.length} Ubuntu OVAL samples to ${seedDir}`);
