import type { EolStatus } from '../../electron/platforms/eol';
import type { HostFacts, PackageManagerId, PendingPatch, ScanFindings } from '../../electron/platforms/types';

/** An EOL status for tests that store scan results by hand: a supported release. */
export const SUPPORTED_EOL: EolStatus = {
  state: 'supported',
  name: 'Debian 12',
  ends: null,
  extendedEnds: null,
  estimated: false,
  days: null,
  tableDate: '2026-01-01',
};

/** A pending update as an adapter reports it; `extra` sets security, held, securityVersion, arch… */
export const pendingPatch = (
  name: string,
  installed: string,
  candidate: string,
  extra: Partial<PendingPatch> = {},
): PendingPatch => ({
  name,
  arch: 'amd64',
  installedVersion: installed,
  candidateVersion: candidate,
  origin: 'Debian:12.8/stable',
  security: false,
  severity: null,
  advisories: [],
  cves: [],
  isNew: false,
  keptBack: false,
  ...extra,
});

/** A successful scan's findings with these patches (held names derived from the patches). */
export const scanFindings = (
  pm: PackageManagerId,
  patches: PendingPatch[],
  facts: Partial<HostFacts> = {},
): ScanFindings => ({
  packageManager: pm,
  facts: {
    osId: 'debian',
    osLike: '',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
    versionId: '12',
    codename: 'bookworm',
    kernel: '6.1.0-28-amd64',
    arch: 'x86_64',
    bootId: 'b',
    uptimeSeconds: 100,
    ...facts,
  },
  patches,
  removals: [],
  held: patches.filter((p) => p.held).map((p) => p.name),
  reboot: { required: false, reasons: [] },
  listsAgeSeconds: 60,
  warnings: [],
});
