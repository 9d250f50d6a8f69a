import { seededRandom as random } from '../core/seeded-random';
import type { SimFault } from './sim-host';
import { usableProfiles } from './sim-profiles';
import { WINDOWS_SERVERS, WINDOWS_WORKSTATIONS } from './sim-windows';

/** One simulated machine of the demo, with the inventory fields an MSP would have filled in. */
export interface DemoMachine {
  name: string;
  client: string;
  site: string;
  tags: string[];
  notes: string;
  profile: string;
  /** Delay of each command after the first scan, so later scans look like a real network. */
  latencyMs: number;
  fault: SimFault | null;
  /** The demo pins a different key for this host: the first scan shows a changed host key. */
  staleKey: boolean;
}

// Made-up customers of a small managed-service provider. Any likeness to a real firm is a coincidence.
const CLIENTS = [
  { name: 'Harbourside Dental', code: 'hbd', sites: ['Portsmouth', 'Southampton'], tags: ['healthcare'] },
  { name: 'Northwind Freight', code: 'nwf', sites: ['Felixstowe', 'Birmingham', 'Glasgow'], tags: ['pci'] },
  { name: 'Greenacre Veterinary', code: 'gav', sites: ['Harrogate'], tags: ['healthcare'] },
  { name: 'Copperline Architects', code: 'cpa', sites: ['Bristol', 'Cardiff'], tags: [] },
  {
    name: 'St Brigid Academy Trust',
    code: 'sbt',
    sites: ['Leeds', 'Wakefield', 'York'],
    tags: ['education'],
  },
  { name: 'Meridian Accountancy', code: 'mer', sites: ['London'], tags: ['pci'] },
  { name: 'Bluebell Care Homes', code: 'bch', sites: ['Norwich', 'Ipswich'], tags: ['healthcare'] },
  { name: 'Oakridge Legal', code: 'okl', sites: ['Manchester'], tags: [] },
  { name: 'Fenwick Brewing Co.', code: 'fbc', sites: ['Keswick'], tags: ['pci'] },
];

const ROLES = [
  { role: 'web', tags: ['web'], weight: 5 },
  { role: 'app', tags: ['app'], weight: 4 },
  { role: 'db', tags: ['database'], weight: 3 },
  { role: 'file', tags: ['file-server'], weight: 2 },
  { role: 'backup', tags: ['backup'], weight: 1 },
  { role: 'mon', tags: ['monitoring'], weight: 1 },
  { role: 'proxy', tags: ['dmz'], weight: 2 },
  { role: 'mail', tags: ['mail'], weight: 1 },
  { role: 'ws', tags: ['workstation'], weight: 2 },
];

const NOTES = [
  'Patch window: Sunday 02:00-04:00.',
  'Do not reboot during business hours (08:00-18:00).',
  'Customer contact: IT lead, call before kernel updates.',
  'Runs the practice management system.',
];

function weighted<T extends { weight: number }>(items: readonly T[], r: number): T {
  let slot = r * items.reduce((a, x) => a + x.weight, 0);
  for (const x of items) {
    if (slot < x.weight) return x;
    slot -= x.weight;
  }
  return items[items.length - 1] as T;
}

/** Which captured profile a machine replays: workstations get the busy real-workstation fixture. */
function profileFor(role: string, r: number): string {
  const has = (id: string) => usableProfiles().some((p) => p.id === id);
  if (role === 'ws' && has('fixture-debian12-policy')) return 'fixture-debian12-policy';
  const servers = [
    { id: 'debian12-security', weight: 40 },
    { id: 'debian12-current', weight: 30 },
    { id: 'debian12-reboot', weight: 15 },
    { id: 'debian12-stale', weight: 15 },
    // RPM hosts join the demo by themselves once their adapters are registered (usableProfiles()).
    { id: 'fixture-dnf-updates', weight: 10 },
    { id: 'fixture-dnf-up-to-date', weight: 5 },
    { id: 'fixture-zypper-updates', weight: 6 },
    { id: 'fixture-zypper-up-to-date', weight: 3 },
  ].filter((p) => has(p.id));
  return servers.length ? weighted(servers, r).id : (usableProfiles()[0]?.id ?? '');
}

/**
 * Small offices run Windows: the workstations become Windows 10/11 and the file servers Windows Server
 * 2019/2022/2025, in turn, reached over OpenSSH (sim-windows.ts). Done after the plan is drawn, without
 * drawing more random numbers, so every other machine of the demo stays as it was.
 */
function windowsMachines(plan: DemoMachine[]): void {
  let ws = 0;
  let srv = 0;
  for (const m of plan) {
    if (m.tags.includes('workstation')) {
      m.profile = WINDOWS_WORKSTATIONS[ws++ % WINDOWS_WORKSTATIONS.length] as string;
    } else if (m.tags.includes('file-server')) {
      m.profile = WINDOWS_SERVERS[srv++ % WINDOWS_SERVERS.length] as string;
    } else continue;
    m.tags.push('windows');
  }
}

/** The demo's machines: `n` hosts spread over made-up MSP customers, with a few broken ones. */
export function demoPlan(n: number): DemoMachine[] {
  const rnd = random(20_240_601);
  const counters = new Map<string, number>();
  const plan: DemoMachine[] = [];
  for (let i = 0; i < n; i++) {
    const client = CLIENTS[i % CLIENTS.length] as (typeof CLIENTS)[number];
    const site = client.sites[Math.floor(rnd() * client.sites.length)] as string;
    const role = weighted(ROLES, rnd());
    const base = `${client.code}-${role.role}`;
    const seq = (counters.get(base) ?? 0) + 1;
    counters.set(base, seq);
    const env = rnd() < 0.15 ? 'staging' : 'prod';
    plan.push({
      name: `${base}${String(seq).padStart(2, '0')}`,
      client: client.name,
      site,
      tags: [env, ...role.tags, ...client.tags],
      notes: rnd() < 0.2 ? (NOTES[Math.floor(rnd() * NOTES.length)] as string) : '',
      profile: profileFor(role.role, rnd()),
      latencyMs: 200 + Math.floor(rnd() * 1000),
      fault: null,
      staleKey: false,
    });
  }
  // A few machines that fail, so the failure views have something to show.
  const broken: [number, Partial<DemoMachine>][] = [
    [7, { fault: { kind: 'refuse' }, notes: 'Not answering since the office move: decommissioned?' }],
    [23, { fault: { kind: 'refuse' } }],
    [41, { fault: { kind: 'auth-fail' }, notes: 'Customer rotated the service account password.' }],
    [58, { staleKey: true, notes: 'Rebuilt by the customer last week.' }],
  ];
  for (const [at, change] of broken) {
    const m = plan[at];
    if (m) Object.assign(m, change);
  }
  windowsMachines(plan);
  return plan;
}
