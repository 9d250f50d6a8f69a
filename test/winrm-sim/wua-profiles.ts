/**
 * Windows Update profiles for the simulator: the objects the Windows Update Agent API returns, in the shapes
 * Microsoft documents (IUpdateSearcher::Search → ISearchResult, IUpdate/IUpdate2 with Identity, Categories,
 * KBArticleIDs, CveIDs, MsrcSeverity, InstallationBehavior.RebootBehavior, SupersededUpdateIDs, MaxDownloadSize;
 * Win32_OperatingSystem; HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion). DOCUMENTED, NOT CAPTURED: no
 * Windows host runs here, so the values are illustrative (plausible KB numbers, made-up UpdateIDs), never a
 * record of a real machine.
 */

/** ICategory (only what the scan reads). */
export interface SimCategory {
  Name: string;
  /** "UpdateClassification", "Product", "ProductFamily", "Company". */
  Type: string;
}

/** IUpdate / IUpdate2 (only what the scan reads). */
export interface SimUpdate {
  Title: string;
  Identity: { UpdateID: string; RevisionNumber: number };
  KBArticleIDs: string[];
  /** "Critical" | "Important" | "Moderate" | "Low" | "" (non-security updates have none). */
  MsrcSeverity: string;
  /** UpdateType: 1 software, 2 driver. */
  Type: 1 | 2;
  Categories: SimCategory[];
  CveIDs: string[];
  MaxDownloadSize: number;
  /** InstallationBehavior.RebootBehavior: 0 NeverReboots, 1 AlwaysRequiresReboot, 2 CanRequestReboot. */
  RebootBehavior: 0 | 1 | 2;
  IsDownloaded: boolean;
  SupersededUpdateIDs: string[];
}

/** One simulated machine's Windows Update state. */
export interface WuaProfile {
  name: string;
  os: {
    Caption: string;
    Version: string;
    /** 1 workstation, 2 domain controller, 3 server. */
    ProductType: 1 | 2 | 3;
    OSArchitecture: string;
    LastBootUpTime: string;
  };
  registry: {
    CurrentBuildNumber: string;
    UBR: number;
    DisplayVersion: string;
    ReleaseId: string;
    EditionID: string;
  };
  /** Which pending-reboot markers exist: cbs / wu keys, rename value. */
  rebootPending: ('cbs' | 'wu' | 'rename')[];
  /** ISearchResult.ResultCode: 2 succeeded, 3 succeeded with errors, 4 failed. */
  resultCode: number;
  updates: SimUpdate[];
  /** Serialize arrays as Windows PowerShell 5.1 does when the Array ETS Count member leaks ({value, Count}). */
  ps51ArrayQuirk?: boolean;
}

const cls = (name: string): SimCategory => ({ Name: name, Type: 'UpdateClassification' });
const product = (name: string): SimCategory => ({ Name: name, Type: 'Product' });
/** A stable made-up UpdateID per label (not Microsoft's). */
export const uid = (n: number): string =>
  `${n.toString(16).padStart(8, '0')}-5a1e-4c0d-9e57-${'0'.repeat(8)}${n.toString(16).padStart(4, '0')}`;

const update = (over: Partial<SimUpdate> & Pick<SimUpdate, 'Title' | 'Identity'>): SimUpdate => ({
  KBArticleIDs: [],
  MsrcSeverity: '',
  Type: 1,
  Categories: [],
  CveIDs: [],
  MaxDownloadSize: 0,
  RebootBehavior: 0,
  IsDownloaded: false,
  SupersededUpdateIDs: [],
  ...over,
});

/** Microsoft Defender Antivirus definitions: always KB2267602, a new revision several times a day. */
const defender = (n: number, rev: number): SimUpdate =>
  update({
    Title: `Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.421.${rev}.0)`,
    Identity: { UpdateID: uid(n), RevisionNumber: rev },
    KBArticleIDs: ['2267602'],
    Categories: [cls('Definition Updates'), product('Microsoft Defender Antivirus')],
    MaxDownloadSize: 84_000_000,
  });

const msrt = (n: number): SimUpdate =>
  update({
    Title: 'Windows Malicious Software Removal Tool x64 - v5.130 (KB890830)',
    Identity: { UpdateID: uid(n), RevisionNumber: 200 },
    KBArticleIDs: ['890830'],
    Categories: [cls('Update Rollups'), product('Windows 10, version 1903 and later')],
    MaxDownloadSize: 78_000_000,
    RebootBehavior: 2,
  });

/** A cumulative security update superseding last month's, which the search still returns. */
function cumulative(n: number, kb: string, title: string, oldKb: string, cves: string[]): SimUpdate[] {
  const old = update({
    Title: title.replace(/2024-12/, '2024-11').replace(kb, oldKb),
    Identity: { UpdateID: uid(n + 1), RevisionNumber: 1 },
    KBArticleIDs: [oldKb],
    MsrcSeverity: 'Important',
    Categories: [cls('Security Updates')],
    CveIDs: ['CVE-2024-43451'],
    MaxDownloadSize: 610_000_000,
    RebootBehavior: 1,
  });
  const current = update({
    Title: title,
    Identity: { UpdateID: uid(n), RevisionNumber: 1 },
    KBArticleIDs: [kb],
    MsrcSeverity: 'Critical',
    Categories: [cls('Security Updates'), product('Windows')],
    CveIDs: cves,
    MaxDownloadSize: 690_000_000,
    RebootBehavior: 1,
    SupersededUpdateIDs: [uid(n + 1), uid(0xdead)],
  });
  return [old, current];
}

const DEC_CVES = ['CVE-2024-49112', 'CVE-2024-49138', 'CVE-2024-49118'];

/** Windows 10 22H2 Pro: past end of support, a driver, a pending reboot, one update without a severity. */
export const WIN10_22H2: WuaProfile = {
  name: 'Windows 10 22H2',
  os: {
    Caption: 'Microsoft Windows 10 Pro',
    Version: '10.0.19045',
    ProductType: 1,
    OSArchitecture: '64-bit',
    LastBootUpTime: '2024-12-02T07:41:10.000Z',
  },
  registry: {
    CurrentBuildNumber: '19045',
    UBR: 5131,
    DisplayVersion: '22H2',
    ReleaseId: '2009',
    EditionID: 'Professional',
  },
  rebootPending: ['cbs', 'rename'],
  resultCode: 2,
  updates: [
    ...cumulative(
      0x100,
      '5048652',
      '2024-12 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5048652)',
      '5046613',
      DEC_CVES,
    ),
    defender(0x110, 8123),
    msrt(0x111),
    update({
      Title: 'Intel Corporation - Display - 31.0.101.2130',
      Identity: { UpdateID: uid(0x112), RevisionNumber: 1 },
      Type: 2,
      Categories: [cls('Drivers')],
      MaxDownloadSize: 540_000_000,
      RebootBehavior: 2,
    }),
  ],
};

/** Windows 11 24H2 Enterprise: the .NET cumulative update, a definition update, nothing pending. */
export const WIN11_24H2: WuaProfile = {
  name: 'Windows 11 24H2',
  os: {
    Caption: 'Microsoft Windows 11 Enterprise',
    Version: '10.0.26100',
    ProductType: 1,
    OSArchitecture: '64-bit',
    LastBootUpTime: '2024-12-05T08:00:00.000Z',
  },
  registry: {
    CurrentBuildNumber: '26100',
    UBR: 2314,
    DisplayVersion: '24H2',
    ReleaseId: '2009',
    EditionID: 'Enterprise',
  },
  rebootPending: [],
  resultCode: 2,
  updates: [
    ...cumulative(
      0x200,
      '5048667',
      '2024-12 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5048667)',
      '5046617',
      DEC_CVES,
    ),
    update({
      Title:
        '2024-12 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5049622)',
      Identity: { UpdateID: uid(0x210), RevisionNumber: 3 },
      KBArticleIDs: ['5049622'],
      Categories: [cls('Updates')],
      MaxDownloadSize: 71_000_000,
      RebootBehavior: 2,
    }),
    defender(0x211, 8124),
  ],
};

/** Windows Server 2019 Standard: succeeded-with-errors search, WU reboot key, PowerShell 5.1's array quirk. */
export const SERVER_2019: WuaProfile = {
  name: 'Windows Server 2019',
  os: {
    Caption: 'Microsoft Windows Server 2019 Standard',
    Version: '10.0.17763',
    ProductType: 3,
    OSArchitecture: '64-bit',
    LastBootUpTime: '2024-11-13T03:12:00.000Z',
  },
  registry: {
    CurrentBuildNumber: '17763',
    UBR: 6532,
    DisplayVersion: '',
    ReleaseId: '1809',
    EditionID: 'ServerStandard',
  },
  rebootPending: ['wu'],
  resultCode: 3,
  ps51ArrayQuirk: true,
  updates: [
    ...cumulative(
      0x300,
      '5048661',
      '2024-12 Cumulative Update for Windows Server 2019 (1809) for x64-based Systems (KB5048661)',
      '5046615',
      DEC_CVES,
    ),
    msrt(0x310),
  ],
};

/** Windows Server 2022 Datacenter (domain controller): a critical non-security update and a feature pack. */
export const SERVER_2022: WuaProfile = {
  name: 'Windows Server 2022',
  os: {
    Caption: 'Microsoft Windows Server 2022 Datacenter',
    Version: '10.0.20348',
    ProductType: 2,
    OSArchitecture: '64-bit',
    LastBootUpTime: '2024-12-01T22:30:00.000Z',
  },
  registry: {
    CurrentBuildNumber: '20348',
    UBR: 2849,
    DisplayVersion: '21H2',
    ReleaseId: '2009',
    EditionID: 'ServerDatacenter',
  },
  rebootPending: [],
  resultCode: 2,
  updates: [
    ...cumulative(
      0x400,
      '5048654',
      '2024-12 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5048654)',
      '5046616',
      DEC_CVES,
    ),
    update({
      Title: 'Update for Windows Server 2022 for x64-based Systems (KB5050001)',
      Identity: { UpdateID: uid(0x410), RevisionNumber: 1 },
      KBArticleIDs: ['5050001'],
      Categories: [cls('Critical Updates')],
      MaxDownloadSize: 2_100_000,
    }),
    update({
      Title: 'Windows Server 2022 language feature pack (KB5050002)',
      Identity: { UpdateID: uid(0x411), RevisionNumber: 2 },
      KBArticleIDs: ['5050002'],
      Categories: [cls('Feature Packs')],
      MaxDownloadSize: 15_000_000,
    }),
  ],
};

/** Windows Server 2025 Standard: fully patched except definitions; a pending file rename. */
export const SERVER_2025: WuaProfile = {
  name: 'Windows Server 2025',
  os: {
    Caption: 'Microsoft Windows Server 2025 Standard',
    Version: '10.0.26100',
    ProductType: 3,
    OSArchitecture: '64-bit',
    LastBootUpTime: '2024-12-11T02:00:00.000Z',
  },
  registry: {
    CurrentBuildNumber: '26100',
    UBR: 2605,
    DisplayVersion: '24H2',
    ReleaseId: '2009',
    EditionID: 'ServerStandard',
  },
  rebootPending: ['rename'],
  resultCode: 2,
  updates: [defender(0x500, 8125)],
};

/** Every profile, for the tests that go through them all. */
export const WUA_PROFILES: readonly WuaProfile[] = [
  WIN10_22H2,
  WIN11_24H2,
  SERVER_2019,
  SERVER_2022,
  SERVER_2025,
];
