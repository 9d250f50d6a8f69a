import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { beforeAll, describe, expect, it } from 'vitest';

import { FeedFormatError } from './json-members';
import { cvesFixedOnUbuntu, cvesForPatch } from './lookup';
import { type SampleNotice, sampleOval } from './oval-sample';
import { parseUbuntuOval, type UbuntuIndex } from './ubuntu-oval';
import { unpackText } from './unpack';

// Built from the documented OVAL shape (oval-sample.ts), not captured from Canonical: marked as such.
const SEED = path.join(__dirname, 'seed');
const NOTICES: SampleNotice[] = [
  {
    usn: 'USN-7001-1',
    title: 'curl vulnerabilities',
    severity: 'Medium',
    issued: '2026-10-01',
    cves: [
      { id: 'CVE-2026-1000', priority: 'medium' },
      { id: 'CVE-2026-1001', priority: 'low' },
    ],
    packages: [
      { names: ['curl', 'libcurl4'], fixed: '0:7.81.0-1ubuntu1.18' },
      { names: ['libcurl3-gnutls'], fixed: '0:7.81.0-1ubuntu1.18' },
    ],
  },
  {
    usn: 'USN-7002-1',
    title: 'curl vulnerability',
    severity: 'High',
    issued: '2026-11-01',
    cves: [{ id: 'CVE-2026-1002', priority: 'high' }],
    packages: [{ names: ['curl', 'libcurl4'], fixed: '0:7.81.0-1ubuntu1.19' }],
  },
  {
    usn: 'USN-7003-1',
    title: 'a regression fix without a CVE',
    severity: 'Low',
    issued: '2026-11-02',
    cves: [],
    packages: [{ names: ['zlib1g'], fixed: '1:1.2.11.dfsg-2ubuntu9.3' }],
  },
];
const xml = (codename = 'jammy', notices = NOTICES): string =>
  sampleOval(codename, '22.04 LTS', '2026-11-30T08:15:00', notices);
const parse = (text: string, codename = 'jammy') => parseUbuntuOval(Buffer.from(text), codename);
const refused = async (file: Buffer | string, pattern: RegExp, codename = 'jammy') => {
  const run = parseUbuntuOval(typeof file === 'string' ? Buffer.from(file) : file, codename);
  await expect(run).rejects.toThrow(FeedFormatError);
  await expect(run).rejects.toThrow(pattern);
};
const unpackAll = async (file: Buffer, max: number): Promise<string> => {
  let text = '';
  for await (const t of unpackText(file, max)) text += t;
  return text;
};

describe("Ubuntu's USN OVAL", () => {
  it('indexes each notice under its binary packages with the fixed version and CVE priorities', async () => {
    const idx = await parse(xml());
    expect(idx).toMatchObject({ codename: 'jammy', publishedAt: '2026-11-30T08:15:00.000Z', notices: 3 });
    expect(idx.byPackage.get('libcurl4')).toEqual([
      {
        usn: 'USN-7001-1',
        fixedVersion: '0:7.81.0-1ubuntu1.18',
        cves: [
          { cve: 'CVE-2026-1000', priority: 'medium' },
          { cve: 'CVE-2026-1001', priority: 'low' },
        ],
      },
      {
        usn: 'USN-7002-1',
        fixedVersion: '0:7.81.0-1ubuntu1.19',
        cves: [{ cve: 'CVE-2026-1002', priority: 'high' }],
      },
    ]);
    // The second test of USN-7001-1 sits in a nested OR; a notice without a CVE adds no fix.
    expect(idx.byPackage.get('libcurl3-gnutls')?.map((f) => f.usn)).toEqual(['USN-7001-1']);
    expect(idx.byPackage.has('zlib1g')).toBe(false);
    expect(idx.records).toBe(5);
  });

  it('reads gzip and plain XML as well as bzip2, and the shipped samples of every release', async () => {
    expect((await parseUbuntuOval(zlib.gzipSync(xml()), 'jammy')).records).toBe(5);
    for (const release of ['resolute', 'noble', 'jammy', 'focal']) {
      const file = fs.readFileSync(path.join(SEED, `com.ubuntu.${release}.usn.oval.xml.bz2`));
      expect(file.subarray(0, 3).toString()).toBe('BZh');
      const idx = await parseUbuntuOval(file, release);
      expect([...idx.byPackage.keys()].sort()).toEqual(['libssl3', 'openssl', 'sudo', 'sudo-ldap']);
    }
  });

  it("refuses another release's file, a cut or damaged file, and a file that is not OVAL", async () => {
    await refused(xml('noble'), /for Ubuntu noble, not jammy/);
    await refused(xml().slice(0, xml().length - 200), /not well formed/);
    await refused('{"not": "xml"}', /not well formed/);
    await refused('<html><body>Service unavailable</body></html>', /not an OVAL 5 definitions document/);
    await refused('', /empty/);
    const bz = fs.readFileSync(path.join(SEED, 'com.ubuntu.jammy.usn.oval.xml.bz2'));
    await refused(bz.subarray(0, bz.length - 40), /bzip2 data is damaged or cut short/);
    const flipped = Buffer.from(bz);
    flipped[bz.length >> 1] = (flipped[bz.length >> 1] ?? 0) ^ 0x10;
    await refused(flipped, /bzip2 data is damaged|not well formed|not a valid/);
    const gz = zlib.gzipSync(xml());
    await refused(gz.subarray(0, gz.length - 10), /gzip data is damaged or cut short/);
  });

  it('refuses dangling references and values of the wrong shape', async () => {
    const text = xml();
    await refused(
      text.replace(
        /<constant_variable id="oval:com\.ubuntu\.jammy:var:\d+"/,
        '<constant_variable id="oval:com.ubuntu.jammy:var:1"',
      ),
      /names variable .* which is missing/,
    );
    await refused(
      text.replace(/state_ref="oval:com\.ubuntu\.jammy:ste:\d+"/, 'state_ref="oval:com.ubuntu.jammy:ste:9"'),
      /names state .* which is missing/,
    );
    await refused(text.replace('0:7.81.0-1ubuntu1.19', '7.81.0 $(reboot)'), /not a valid version/);
    await refused(
      text.replace('<value>curl</value>', '<value>curl; rm -rf /</value>'),
      /not a valid package name/,
    );
    await refused(text.replace('>CVE-2026-1002<', '>CVE-26<'), /not a valid CVE id/);
    await refused(text.replace(/<reference source="USN"[^>]*\/>/g, ''), /has no USN reference/);
    await refused(
      text.replace(/<linux-def:dpkginfo_test id="[^"]+"/, '<linux-def:dpkginfo_test id="evil:tst:1"'),
      /not an Ubuntu OVAL id/,
    );
  });

  it('stops unpacking past the size cap (a tiny file that unpacks to gigabytes is not a feed)', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    await expect(unpackAll(bomb, 1024 * 1024)).rejects.toThrow(/unpacks to more than 1048576 bytes/);
    const bz = fs.readFileSync(path.join(SEED, 'com.ubuntu.jammy.usn.oval.xml.bz2'));
    await expect(unpackAll(bz, 1000)).rejects.toThrow(/unpacks to more than 1000 bytes/);
    const text = await unpackAll(bz, 1024 * 1024);
    expect(text).toMatch(/^<\?xml[\s\S]*<\/oval_definitions>\n$/);
  });
});

describe('CVEs an Ubuntu upgrade fixes', () => {
  let idx: UbuntuIndex;
  beforeAll(async () => {
    idx = await parse(xml());
  });
  it('takes the notices fixed above the installed version and up to the candidate', async () => {
    expect(
      cvesFixedOnUbuntu(idx, 'libcurl4', '7.81.0-1ubuntu1.17', '7.81.0-1ubuntu1.19').map((f) => [
        f.cve,
        f.notice,
      ]),
    ).toEqual([
      ['CVE-2026-1000', 'USN-7001-1'],
      ['CVE-2026-1001', 'USN-7001-1'],
      ['CVE-2026-1002', 'USN-7002-1'],
    ]);
    // Installed already has the first notice's fix (OVAL's "0:" epoch equals none); the candidate stops short.
    expect(
      cvesFixedOnUbuntu(idx, 'libcurl4', '7.81.0-1ubuntu1.18', '7.81.0-1ubuntu1.19').map((f) => f.cve),
    ).toEqual(['CVE-2026-1002']);
    expect(
      cvesFixedOnUbuntu(idx, 'libcurl4', '7.81.0-1ubuntu1.17', '7.81.0-1ubuntu1.18').map((f) => f.cve),
    ).toEqual(['CVE-2026-1000', 'CVE-2026-1001']);
    expect(cvesFixedOnUbuntu(idx, 'curl', '7.81.0-1ubuntu1.17', '7.81.0-1ubuntu1.17~rc1')).toEqual([]);
  });

  it('feeds the merged CVE list of an apt patch on Ubuntu, and only on the release it was read for', async () => {
    const patch = {
      packageManager: 'apt',
      name: 'libcurl4',
      installedVersion: '7.81.0-1ubuntu1.18',
      candidateVersion: '7.81.0-1ubuntu1.19',
      cves: ['CVE-2026-0999'],
    };
    const ubuntu = new Map([['jammy', idx]]);
    expect(
      cvesForPatch(patch, { osId: 'ubuntu', codename: 'jammy' }, { debian: null, ubuntu }),
    ).toMatchObject({
      cves: ['CVE-2026-0999', 'CVE-2026-1002'],
      source: 'scan+ubuntu-usn',
      fixes: [
        { cve: 'CVE-2026-1002', fixedVersion: '7.81.0-1ubuntu1.19', urgency: 'high', notice: 'USN-7002-1' },
      ],
    });
    expect(
      cvesForPatch({ ...patch, cves: [] }, { osId: 'ubuntu', codename: 'jammy' }, { debian: null, ubuntu })
        .source,
    ).toBe('ubuntu-usn');
    expect(cvesForPatch(patch, { osId: 'ubuntu', codename: 'noble' }, { debian: null, ubuntu }).source).toBe(
      'scan',
    );
    expect(cvesForPatch(patch, { osId: 'debian', codename: 'jammy' }, { debian: null, ubuntu }).source).toBe(
      'scan',
    );
  });
});
